"""Routes under /api/notifications (included without a trailing slash, so the sub-routes hang off "/")."""

from django.urls import include, path

from lumiku.notifications.api import NotificationListApi, NotificationReadAllApi, NotificationReadApi

urlpatterns = [
    path("", NotificationListApi.as_view(), name="notifications"),
    path("/", include([
        path("read-all", NotificationReadAllApi.as_view(), name="notifications-read-all"),
        path("<uuid:notification_id>/read", NotificationReadApi.as_view(), name="notification-read"),
    ])),
]
