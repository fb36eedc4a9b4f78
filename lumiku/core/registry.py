"""The app registry (the spec's plugin config): one place that declares each app and its prices.

Each product declares an `AppDefinition` (in its own plugin module) and settings.LUMIKU_APPS lists their
dotted paths.
Every credit price is read through `app_credit_price`, with settings.CREDIT_PRICE_OVERRIDES on top.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class AppAccess:
    requires_auth: bool = True
    requires_subscription: bool = False
    min_subscription_tier: str | None = None
    allowed_roles: tuple[str, ...] = ("user", "moderator", "admin")


@dataclass(frozen=True)
class AppFeatures:
    enabled: bool = True
    beta: bool = False
    coming_soon: bool = False


@dataclass(frozen=True)
class AppDashboard:
    order: int = 0
    color: str = "indigo"
    stats_enabled: bool = True
    stats_endpoint: str | None = None


@dataclass(frozen=True)
class AppDefinition:
    app_id: str
    name: str
    description: str
    icon: str
    version: str
    route_prefix: str
    credits: dict[str, int] = field(default_factory=dict)
    access: AppAccess = AppAccess()
    features: AppFeatures = AppFeatures()
    dashboard: AppDashboard = AppDashboard()

    def as_api(self) -> dict:
        return {
            "appId": self.app_id,
            "name": self.name,
            "description": self.description,
            "icon": self.icon,
            "version": self.version,
            "routePrefix": self.route_prefix,
            "credits": app_credit_prices(app_id=self.app_id),
            "access": {
                "requiresAuth": self.access.requires_auth,
                "requiresSubscription": self.access.requires_subscription,
                "minSubscriptionTier": self.access.min_subscription_tier,
                "allowedRoles": list(self.access.allowed_roles),
            },
            "features": {
                "enabled": self.features.enabled,
                "beta": self.features.beta,
                "comingSoon": self.features.coming_soon,
            },
            "dashboard": {
                "order": self.dashboard.order,
                "color": self.dashboard.color,
                "stats": {"enabled": self.dashboard.stats_enabled, "endpoint": self.dashboard.stats_endpoint},
            },
        }


class UnknownApp(LookupError):
    pass


@cache
def _apps() -> dict[str, AppDefinition]:
    apps = [import_string(path) for path in settings.LUMIKU_APPS]
    return {app.app_id: app for app in apps}


def registry_apps(*, enabled_only: bool = True) -> list[AppDefinition]:
    apps = sorted(_apps().values(), key=lambda a: a.dashboard.order)
    return [a for a in apps if a.features.enabled] if enabled_only else apps


def registry_app(*, app_id: str) -> AppDefinition:
    try:
        return _apps()[app_id]
    except KeyError:
        raise UnknownApp(app_id) from None


def app_credit_prices(*, app_id: str) -> dict[str, int]:
    prices = dict(registry_app(app_id=app_id).credits)
    prices.update(settings.CREDIT_PRICE_OVERRIDES.get(app_id, {}))
    return prices


def app_credit_price(*, app_id: str, key: str) -> int:
    prices = app_credit_prices(app_id=app_id)
    if key not in prices:
        raise KeyError(f"{app_id} declares no credit price {key!r}")
    return int(prices[key])


__all__ = [
    "AppAccess",
    "AppDashboard",
    "AppDefinition",
    "AppFeatures",
    "app_credit_price",
    "app_credit_prices",
    "registry_app",
    "registry_apps",
]
