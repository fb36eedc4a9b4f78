"""The site's front page `/` (the platform's `home` URL; this app registers it in PosegenConfig.ready())."""

from django.conf import settings
from django.shortcuts import redirect, render

from posegen.landing import landing_poses, landing_showcase
from posegen.models.choices import GenerationType
from posegen.services.pricing import price_per_image

LANDING_POSES = 8


def home(request):
    """The landing page for visitors; signed-in users go straight to their dashboard."""
    if request.user.is_authenticated:
        return redirect("pages:dashboard")
    return render(request, "home.html", {
        "showcase": landing_showcase(),
        "poses": landing_poses(limit=LANDING_POSES),
        "price_per_pose": price_per_image(generation_type=GenerationType.GALLERY_REFERENCE,
                                          use_background_changer=False),
        "background_price": price_per_image(generation_type=GenerationType.GALLERY_REFERENCE,
                                            use_background_changer=True)
        - price_per_image(generation_type=GenerationType.GALLERY_REFERENCE, use_background_changer=False),
        "welcome_credits": settings.CREDITS_WELCOME_GRANT,
    })
