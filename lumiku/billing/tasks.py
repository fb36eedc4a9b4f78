from celery import shared_task
from django.conf import settings

from lumiku.billing.receipts import order_send_receipt
from lumiku.billing.services import orders_sweep_pending


@shared_task(name="lumiku.billing.tasks.order_send_receipt", autoretry_for=(OSError,), retry_backoff=30,
             max_retries=5)
def order_send_receipt_task(order_id: str) -> bool:
    return order_send_receipt(order_id=order_id)


@shared_task(name="lumiku.billing.tasks.orders_sweep_pending")
def orders_sweep_pending_task() -> dict[str, int]:
    return orders_sweep_pending(older_than_hours=settings.PAYMENT_PENDING_EXPIRE_HOURS)
