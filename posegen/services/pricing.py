"""Generation cost, read from the app registry (never a literal here)."""

from __future__ import annotations

from lumiku.core.registry import app_credit_price
from posegen.models.choices import GenerationType
from posegen.plugin import APP_ID


def price_per_image(*, generation_type: str, use_background_changer: bool) -> int:
    key = "generateFromGallery" if generation_type == GenerationType.GALLERY_REFERENCE else "generateFromText"
    price = app_credit_price(app_id=APP_ID, key=key)
    if use_background_changer:
        price += app_credit_price(app_id=APP_ID, key="backgroundChanger")
    return price


def generation_image_price(*, generation) -> int:
    """What each image of an existing generation was charged: its charge over its images. Refunds and audits
    use this, never today's price, which an operator may have changed since (CREDIT_PRICE_OVERRIDES)."""
    return generation.credit_charged // max(1, generation.total_expected_poses)


def generation_cost(*, generation_type: str, images: int, use_background_changer: bool) -> int:
    return images * price_per_image(generation_type=generation_type, use_background_changer=use_background_changer)
