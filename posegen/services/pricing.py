"""Every price the Pose Generator charges, read from the app registry (posegen.plugin's prices, an operator's
CREDIT_PRICE_OVERRIDES on top); never a literal here or anywhere else."""

from __future__ import annotations

from lumiku.core.registry import app_credit_price
from posegen.models.choices import GenerationType
from posegen.plugin import APP_ID


def _background_changer() -> int:
    return app_credit_price(app_id=APP_ID, key="backgroundChanger")


def price_per_image(*, generation_type: str, use_background_changer: bool) -> int:
    key = "generateFromGallery" if generation_type == GenerationType.GALLERY_REFERENCE else "generateFromText"
    price = app_credit_price(app_id=APP_ID, key=key)
    if use_background_changer:
        price += _background_changer()
    return price


def background_price(*, user) -> int:
    """Credits for one background change of a finished image (the registry's `backgroundChanger`, the same
    price a generation adds per image with useBackgroundChanger); 0 for enterprise unlimited users."""
    if getattr(user, "enterprise_unlimited", False):
        return 0
    return _background_changer()


def generation_cost(*, generation_type: str, images: int, use_background_changer: bool) -> int:
    return images * price_per_image(generation_type=generation_type, use_background_changer=use_background_changer)
