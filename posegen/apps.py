from django.apps import AppConfig


class PosegenConfig(AppConfig):
    name = "posegen"
    verbose_name = "Pose Generator"
