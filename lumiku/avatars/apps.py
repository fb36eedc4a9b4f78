from django.apps import AppConfig


class AvatarsConfig(AppConfig):
    name = "lumiku.avatars"
    label = "avatars"
    verbose_name = "Avatars"
