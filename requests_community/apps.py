from django.apps import AppConfig


class RequestsCommunityConfig(AppConfig):
    name = "requests_community"
    verbose_name = "Community pose requests"

    def ready(self) -> None:
        # What this app adds to the platform, registered here so the platform never imports it.
        from lumiku.core.metrics import metrics_scrape_source_register
        from lumiku.credits.audit import audit_check_register
        from lumiku.notifications.kinds import notification_kind_register
        from lumiku.routing import urls_register
        from requests_community.audit import audit_votes
        from requests_community.metrics import request_category_metrics, request_pending_metrics
        from requests_community.notification_texts import REQUEST_STATUS_KIND, request_status_text

        urls_register(prefix="api/apps/pose-generator/", urlconf="requests_community.api.urls")
        urls_register(prefix="pose-requests/", urlconf="requests_community.urls")
        metrics_scrape_source_register(request_pending_metrics)
        metrics_scrape_source_register(request_category_metrics)
        audit_check_register(name="votes", check=audit_votes)
        notification_kind_register(kind=REQUEST_STATUS_KIND, render=request_status_text)
