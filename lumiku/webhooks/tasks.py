from celery import shared_task


@shared_task(name="lumiku.webhooks.tasks.webhook_deliver", ignore_result=True)
def webhook_deliver(delivery_id: str) -> str:
    from lumiku.webhooks.services import webhook_delivery_attempt

    return webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task(name="lumiku.webhooks.tasks.webhook_deliveries_sweep", ignore_result=True)
def webhook_deliveries_sweep() -> int:
    from lumiku.webhooks.services import webhook_deliveries_sweep as sweep

    return sweep()
