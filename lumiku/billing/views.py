"""Pages: the pricing page, checkout (a POST that sends the buyer to the provider), the page the
provider sends them back to (it only shows the order: crediting waits for the verified notification),
and the printable receipt."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from lumiku.billing.links import finish_url
from lumiku.billing.receipts import idr
from lumiku.billing.selectors import order_of_user, products_on_sale
from lumiku.billing.services import order_create
from lumiku.core.errors import DomainError
from lumiku.core.pages import is_htmx
from lumiku.core.throttling import rate_limit_check
from lumiku.credits.selectors import credits_balance, credits_unlimited_tier


def _priced(products):
    for product in products:
        product.price_label = idr(product.price_idr)
        yield product


@require_GET
def pricing(request, error=None, status=200):
    products = list(_priced(products_on_sale()))
    context = {
        "packages": [p for p in products if p.credits],
        "tiers": [p for p in products if p.tier_days],
        "error": error,
    }
    if request.user.is_authenticated:
        context["balance"] = credits_balance(user_id=request.user.pk)
        context["tier"] = credits_unlimited_tier(user=request.user)
    return render(request, "billing/pricing.html", context, status=status)


@login_required
@require_POST
def checkout(request):
    try:
        product_id = int(request.POST.get("product", ""))
    except ValueError:
        product_id = 0
    try:
        rate_limit_check(request=request, scope="checkout")
        order = order_create(user=request.user, product_id=product_id, finish_url=finish_url(request))
    except DomainError as exc:
        request.method = "GET"
        return pricing(request, error=exc.message, status=exc.status_code)
    return redirect(order.redirect_url)


def _own_order(request, order_id):
    order = order_of_user(user_id=request.user.pk, order_id=order_id)
    if order is None:
        raise Http404
    order.amount_label = idr(order.amount_idr)
    return order


@login_required
@require_GET
def order_return(request, order_id):
    order = _own_order(request, order_id)
    context = {"order": order, "balance": credits_balance(user_id=request.user.pk)}
    template = "billing/_order_status.html" if is_htmx(request) else "billing/order_return.html"
    return render(request, template, context)


@login_required
@require_GET
def order_receipt(request, order_id):
    return render(request, "billing/receipt.html", {"order": _own_order(request, order_id)})
