from django.urls import path

from lumiku.credits.api.views import CreditsApi, CreditsHistoryApi

urlpatterns = [
    path("credits", CreditsApi.as_view(), name="credits"),
    path("credits/history", CreditsHistoryApi.as_view(), name="credits-history"),
]
