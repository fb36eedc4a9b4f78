from django.urls import path

from lumiku.billing.api.views import (
    MidtransNotificationApi,
    OrderDetailApi,
    OrdersApi,
    ProductsApi,
    XenditCallbackApi,
)

urlpatterns = [
    path("credits/products", ProductsApi.as_view(), name="credit-products"),
    path("credits/orders", OrdersApi.as_view(), name="credit-orders"),
    path("credits/orders/<uuid:order_id>", OrderDetailApi.as_view(), name="credit-order"),
    path("payments/midtrans/notification", MidtransNotificationApi.as_view(), name="midtrans-notification"),
    path("payments/xendit/callback", XenditCallbackApi.as_view(), name="xendit-callback"),
]
