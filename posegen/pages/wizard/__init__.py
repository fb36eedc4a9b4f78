"""Generation wizard pages (G3)."""

from django.urls import path

from posegen.pages.wizard.views import wizard, wizard_cost, wizard_text_preview, wizard_tray_remove

urlpatterns = [
    path("projects/<uuid:project_id>/generate/", wizard, name="wizard"),
    path("projects/<uuid:project_id>/generate/cost/", wizard_cost, name="wizard_cost"),
    path("projects/<uuid:project_id>/generate/remove-pose/", wizard_tray_remove, name="wizard_tray_remove"),
    path("generate/text-preview/", wizard_text_preview, name="wizard_text_preview"),
]
