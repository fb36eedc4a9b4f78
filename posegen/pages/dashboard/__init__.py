"""G1's pages: the dashboard, the account page and the notifications list (namespace `pages`)."""

from django.urls import path

from posegen.pages.dashboard import account, home, notifications

urlpatterns = [
    path("dashboard/", home.dashboard, name="dashboard"),
    path("account/", account.account, name="account"),
    path("notifications/", notifications.notification_index, name="notifications"),
    path("notifications/read-all/", notifications.notification_read_all, name="notifications_read_all"),
    path("notifications/<uuid:notification_id>/read/", notifications.notification_read, name="notification_read"),
]
