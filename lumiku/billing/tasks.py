from celery import shared_task

from lumiku.billing.receipts import order_send_receipt


@shared_task(name="lumiku.billing.tasks.order_send_receipt", autoretry_for=(OSError,), retry_backoff=30,
             max_retries=5)
def order_send_receipt_task(order_id: str) -> bool:
    return order_send_receipt(order_id=order_id)
