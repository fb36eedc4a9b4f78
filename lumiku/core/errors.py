"""Domain errors. Services raise these; one DRF handler turns them into the error envelope."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status_code = 400
    code = "BAD_REQUEST"
    default_message = _("The request could not be processed.")

    def __init__(self, message: str | None = None, *, code: str | None = None, **extra: Any) -> None:
        # str() resolves a lazy default in the language active where the error is raised.
        self.message = str(message or self.default_message)
        if code:
            self.code = code
        self.extra = extra
        super().__init__(self.message)


class ValidationFailed(DomainError):
    status_code = 400
    code = "VALIDATION_ERROR"
    default_message = _("Invalid input.")


class NotFound(DomainError):
    status_code = 404
    code = "NOT_FOUND"
    default_message = _("Not found.")


class Forbidden(DomainError):
    status_code = 403
    code = "FORBIDDEN"
    default_message = _("You do not have permission to perform this action.")


class Conflict(DomainError):
    status_code = 409
    code = "CONFLICT"
    default_message = _("The request conflicts with the current state.")


class InvalidTransition(Conflict):
    code = "INVALID_TRANSITION"


class UnprocessableEntity(DomainError):
    status_code = 422
    code = "UNPROCESSABLE"
    default_message = _("The request could not be processed.")


class InsufficientCredits(DomainError):
    status_code = 402
    code = "INSUFFICIENT_CREDITS"

    def __init__(self, *, required: int, available: int, images: int | None = None) -> None:
        # Said the way a shop owner reads it: what it costs, what they have, what to do next.
        values = {"required": required, "available": available, "images": images}
        if images and images > 1:
            message = gettext("You need %(required)s credits for these %(images)s photos; you have %(available)s. "
                              "Top up or choose fewer poses.") % values
        elif images == 1:
            message = gettext("You need %(required)s credits for this photo; you have %(available)s. "
                              "Top up to continue.") % values
        else:
            message = gettext("You need %(required)s credits; you have %(available)s. Top up to continue.") % values
        super().__init__(
            message,
            required=required,
            available=available,
            pricingUrl=_pricing_url(),
        )


def _pricing_url() -> str:
    """Where a client sends someone who ran short: the pricing page (lumiku.billing)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("billing:pricing")
    except NoReverseMatch:  # a URL conf without the billing pages (some tests)
        return ""


class QuotaExceeded(DomainError):
    status_code = 429
    code = "QUOTA_EXCEEDED"

    def __init__(self, *, requested: int, remaining: int, resets_at: str | None) -> None:
        super().__init__(
            gettext("Daily pose quota exceeded. Requested: %(requested)s, Remaining: %(remaining)s")
            % {"requested": requested, "remaining": remaining},
            requested=requested,
            remaining=remaining,
            resetsAt=resets_at,
        )


class ServiceUnavailable(DomainError):
    status_code = 503
    code = "SERVICE_UNAVAILABLE"
    default_message = _("The service is temporarily unavailable. Nothing was charged; please retry.")


class RateLimited(DomainError):
    """A page form over its rate limit (the API answers the same limits with DRF's 429)."""

    status_code = 429
    code = "RATE_LIMITED"
