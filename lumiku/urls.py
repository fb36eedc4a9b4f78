from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from lumiku.core import views as core_views
from lumiku.core.api import AppsApi
from lumiku.core.csp import csp_report
from lumiku.core.metrics_view import metrics
from lumiku.routing import product_urlpatterns

admin.site.site_header = "Lumiku moderation"
admin.site.site_title = "Lumiku admin"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/", include("lumiku.accounts.urls")),
    # Notifications became a platform app (lumiku.notifications): moderators' bookmarks of the old admin
    # pages keep working.
    re_path(r"^admin/requests_community/notification/(?P<rest>.*)$",
            RedirectView.as_view(url="/admin/notifications/notification/%(rest)s", permanent=True, query_string=True)),
    path("admin/", admin.site.urls),
    path("api/auth/", include("lumiku.accounts.api.urls")),
    path("api/", include("lumiku.credits.api.urls")),
    path("api/", include("lumiku.billing.api.urls")),
    path("api/avatars/", include("lumiku.avatars.api.urls")),
    path("api/", include("lumiku.webhooks.api.urls")),
    path("api/apps", AppsApi.as_view(), name="apps"),
    path("api/notifications", include("lumiku.notifications.urls")),
    path("", include("lumiku.billing.urls")),
    # The products' URL confs, registered from their AppConfig.ready() (lumiku.routing.urls_register).
    *product_urlpatterns(),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's initialiser as a script file: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    re_path(r"^media/(?P<path>.+)$", core_views.media, name="media"),
    path("metrics", metrics, name="metrics"),
    path("csp-report", csp_report, name="csp-report"),
]

handler400 = "lumiku.core.views.error_400"
handler403 = "lumiku.core.views.error_403"
handler404 = "lumiku.core.views.error_404"
handler500 = "lumiku.core.views.error_500"
