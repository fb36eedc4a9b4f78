from django.urls import path

from lumiku.accounts.api.views import LogoutEverywhereApi, MeApi, RegisterApi, TokenApi, TokenRefreshApi

urlpatterns = [
    path("register", RegisterApi.as_view(), name="auth-register"),
    path("token", TokenApi.as_view(), name="auth-token"),
    path("token/refresh", TokenRefreshApi.as_view(), name="auth-token-refresh"),
    path("me", MeApi.as_view(), name="auth-me"),
    path("logout-everywhere", LogoutEverywhereApi.as_view(), name="auth-logout-everywhere"),
]
