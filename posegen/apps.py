from django.apps import AppConfig


class PosegenConfig(AppConfig):
    name = "posegen"
    verbose_name = "Pose Generator"

    def ready(self) -> None:
        # The notifications and ledger rows this app writes register how they are said in the reader's language.
        import posegen.ledger_reasons
        import posegen.services.generation_notices  # noqa: F401
