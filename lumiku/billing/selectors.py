from __future__ import annotations

from django.db.models import QuerySet

from lumiku.billing.models import Order, Product


def products_on_sale() -> QuerySet[Product]:
    return Product.objects.filter(active=True).order_by("sort_order", "id")


def orders_of_user(*, user_id) -> QuerySet[Order]:
    return Order.objects.filter(user_id=user_id).order_by("-created_at")


def order_of_user(*, user_id, order_id) -> Order | None:
    """Another user's order reads as absent (404), never as forbidden."""
    import uuid

    try:
        uuid.UUID(str(order_id))
    except ValueError:
        return None
    return Order.objects.filter(user_id=user_id, pk=order_id).first()
