from django.apps import AppConfig


class BillingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lumiku.billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        import lumiku.billing.ledger_reasons  # noqa: F401  (registers how purchase rows are said)
