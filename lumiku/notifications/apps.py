from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lumiku.notifications"
    label = "notifications"
    verbose_name = "Notifications"
