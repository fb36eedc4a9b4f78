from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "lumiku.credits"
    label = "credits"
    verbose_name = "Credits"
