"""Buying credits: products, orders, and the providers' notification endpoints (CSRF-exempt: no session)."""

from __future__ import annotations

from contextlib import contextmanager

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from lumiku.billing.links import finish_url
from lumiku.billing.selectors import order_of_user, orders_of_user, products_on_sale
from lumiku.billing.services import order_create, order_handle_midtrans_notification, order_handle_xendit_callback
from lumiku.core.errors import DomainError, NotFound, ValidationFailed
from lumiku.core.metrics import payment_notification_observed
from lumiku.core.throttling import rate_limited


class ProductOutput(serializers.Serializer):
    id = serializers.IntegerField()
    # In the reader's language (account, Accept-Language), as the pose library says its poses' names.
    name = serializers.CharField(source="reader_name")
    credits = serializers.IntegerField()
    tierDays = serializers.IntegerField(source="tier_days")  # noqa: N815
    priceIdr = serializers.IntegerField(source="price_idr")  # noqa: N815


class OrderOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    productId = serializers.IntegerField(source="product_id")  # noqa: N815
    amountIdr = serializers.IntegerField(source="amount_idr")  # noqa: N815
    credits = serializers.IntegerField()
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815
    paidAt = serializers.DateTimeField(source="paid_at", allow_null=True)  # noqa: N815


def _reject_unknown(data, allowed: set[str]) -> None:
    extra = sorted(set(data) - allowed) if isinstance(data, dict) else []
    if extra:
        raise ValidationFailed(_("Unknown field(s): %(fields)s") % {"fields": ", ".join(extra)})


class ProductsApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class ProductsOutput(serializers.Serializer):
        products = ProductOutput(many=True)

    @extend_schema(responses={200: ProductsOutput}, tags=["credits"])
    def get(self, request):
        return Response({"products": ProductOutput(products_on_sale(), many=True).data})


@rate_limited("checkout", methods=("POST",))
class OrdersApi(APIView):
    class OrderCreateInput(serializers.Serializer):
        productId = serializers.IntegerField(min_value=1, max_value=2**31 - 1)  # noqa: N815

    class OrderCreatedOutput(serializers.Serializer):
        orderId = serializers.UUIDField()  # noqa: N815
        status = serializers.CharField()
        amountIdr = serializers.IntegerField()  # noqa: N815
        redirectUrl = serializers.URLField()  # noqa: N815

    class OrdersOutput(serializers.Serializer):
        orders = OrderOutput(many=True)

    @extend_schema(responses={200: OrdersOutput}, tags=["credits"], operation_id="credits_orders_list")
    def get(self, request):
        return Response({"orders": OrderOutput(orders_of_user(user_id=request.user.pk)[:100], many=True).data})

    @extend_schema(request=OrderCreateInput, responses={201: OrderCreatedOutput}, tags=["credits"])
    def post(self, request):
        _reject_unknown(request.data, {"productId"})
        data = self.OrderCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = order_create(user=request.user, product_id=data.validated_data["productId"],
                             finish_url=finish_url(request))
        return Response({"orderId": str(order.id), "status": order.status, "amountIdr": order.amount_idr,
                         "redirectUrl": order.redirect_url}, status=status.HTTP_201_CREATED)


class OrderDetailApi(APIView):
    class OrderEnvelopeOutput(serializers.Serializer):
        order = OrderOutput()

    @extend_schema(responses={200: OrderEnvelopeOutput}, tags=["credits"])
    def get(self, request, order_id):
        order = order_of_user(user_id=request.user.pk, order_id=order_id)
        if order is None:
            raise NotFound()
        return Response({"order": OrderOutput(order).data})


@contextmanager
def _counted(provider: str):
    """Count each notification once: by the order's resulting status, or by the refusal's error code."""
    outcome: list[str] = []
    try:
        yield outcome
    except DomainError as exc:
        outcome.append(exc.code)
        raise
    except Exception:
        outcome.append("ERROR")
        raise
    finally:
        payment_notification_observed(provider=provider, outcome=outcome[-1] if outcome else "ERROR")


class _NotificationApi(APIView):
    """Called by the provider: no session or JWT (so no CSRF), verified by signature or token instead."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []

    class PaymentNotificationOutput(serializers.Serializer):
        status = serializers.CharField()


class MidtransNotificationApi(_NotificationApi):
    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: _NotificationApi.PaymentNotificationOutput},
                   tags=["payments"])
    def post(self, request):
        with _counted("midtrans") as outcome:
            order = order_handle_midtrans_notification(body=request.data)
            outcome.append(order.status)
        return Response({"status": order.status})


class XenditCallbackApi(_NotificationApi):
    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: _NotificationApi.PaymentNotificationOutput},
                   tags=["payments"])
    def post(self, request):
        with _counted("xendit") as outcome:
            order = order_handle_xendit_callback(token=request.headers.get("x-callback-token"), body=request.data)
            outcome.append(order.status)
        return Response({"status": order.status})
