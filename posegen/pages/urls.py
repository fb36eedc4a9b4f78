"""Page routes, namespace `pages`. Each module contributes its own urlpatterns list."""

from posegen.pages import dashboard, generations, library, projects, wizard

app_name = "pages"

urlpatterns = [
    *dashboard.urlpatterns,
    *library.urlpatterns,
    *projects.urlpatterns,
    *wizard.urlpatterns,
    *generations.urlpatterns,
]
