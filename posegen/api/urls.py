from django.urls import path

from posegen.api.health import HealthApi
from posegen.api.projects import ProjectDetailApi, ProjectListCreateApi
from posegen.api.realtime import WsTicketApi

urlpatterns = [
    path("health", HealthApi.as_view(), name="posegen-health"),
    path("projects", ProjectListCreateApi.as_view(), name="posegen-projects"),
    path("projects/<uuid:project_id>", ProjectDetailApi.as_view(), name="posegen-project-detail"),
    path("ws-ticket", WsTicketApi.as_view(), name="posegen-ws-ticket"),
]
