from django.apps import AppConfig


class RequestsCommunityConfig(AppConfig):
    name = "requests_community"
    verbose_name = "Community pose requests"

    def ready(self) -> None:
        from lumiku.core.metrics import metrics_scrape_source_register
        from requests_community.metrics import request_category_metrics

        metrics_scrape_source_register(request_category_metrics)
