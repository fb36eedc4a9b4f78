from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lumiku.core"
    label = "core"
    verbose_name = "Platform core"
