from django.apps import AppConfig


class RequestsCommunityConfig(AppConfig):
    name = "requests_community"
    verbose_name = "Community pose requests"
