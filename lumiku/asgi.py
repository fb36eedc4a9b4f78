"""ASGI entry point: HTTP through Django, WebSockets through Channels (origin-checked, authenticated)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lumiku.settings.base")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from lumiku.core.ws_auth import BrowserOriginOrTicketValidator, WebSocketAuthMiddlewareStack  # noqa: E402
from lumiku.routing import websocket_urlpatterns  # noqa: E402
from posegen.api.library_asgi import library_list_fast_path  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Cached library pages for anonymous visitors are served before Django (see library_asgi).
        "http": library_list_fast_path(django_asgi_app),
        # A browser's Origin must be an allowed host; a client without one must bring a ticket.
        "websocket": BrowserOriginOrTicketValidator(
            WebSocketAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
