from django.apps import AppConfig


class PosegenConfig(AppConfig):
    name = "posegen"
    verbose_name = "Pose Generator"

    def ready(self) -> None:
        # What this app adds to the platform, registered here so the platform never imports it. Routes are
        # dotted paths, imported only when the root URL conf or the ASGI application is first built.
        from lumiku.credits.audit import audit_check_register
        from lumiku.routing import (
            asgi_http_wrapper_register,
            home_page_register,
            urls_register,
            websocket_routes_register,
        )
        from posegen.audit import audit_categories, audit_generations

        urls_register(prefix="api/apps/pose-generator/", urlconf="posegen.api.urls")
        urls_register(prefix="", urlconf="posegen.pages.urls")
        home_page_register(view="posegen.pages.home.home")
        websocket_routes_register(routes="posegen.routing.websocket_urlpatterns")
        # Cached library pages for anonymous visitors are answered before Django (see library_asgi).
        asgi_http_wrapper_register(wrapper="posegen.api.library_asgi.library_list_fast_path")
        audit_check_register(name="generations", check=audit_generations)
        audit_check_register(name="categories", check=audit_categories)
        # The notifications and ledger rows this app writes register how they are said in the reader's language.
        import posegen.ledger_reasons
        import posegen.services.generation_notices  # noqa: F401
