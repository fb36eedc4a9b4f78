from django.urls import path

from lumiku.billing import views

app_name = "billing"

urlpatterns = [
    path("pricing", views.pricing, name="pricing"),
    path("credits/checkout", views.checkout, name="checkout"),
    path("credits/orders/<uuid:order_id>/return", views.order_return, name="order_return"),
    path("credits/orders/<uuid:order_id>/receipt", views.order_receipt, name="order_receipt"),
]
