"""The Pose Generator's app definition (the spec's plugin config) — the one home of its prices."""

from lumiku.core.registry import AppAccess, AppDashboard, AppDefinition, AppFeatures

APP_ID = "pose-generator"

POSE_GENERATOR_APP = AppDefinition(
    app_id=APP_ID,
    name="Pose Generator",
    description="Generate studio-quality avatar poses for UMKM marketing",
    icon="user-square",
    version="1.0.0",
    route_prefix="/api/apps/pose-generator",
    credits={
        "generateFromGallery": 30,  # per pose
        "generateFromText": 30,  # per pose
        "backgroundChanger": 10,  # per pose, on top
        "uploadBackground": 0,
    },
    access=AppAccess(requires_auth=True, allowed_roles=("user", "moderator", "admin")),
    features=AppFeatures(enabled=True, beta=False, coming_soon=False),
    dashboard=AppDashboard(order=3, color="indigo", stats_enabled=True,
                           stats_endpoint="/api/apps/pose-generator/stats"),
)
