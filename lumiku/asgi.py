"""ASGI entry point: HTTP through Django, WebSockets through Channels (origin-checked, authenticated)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lumiku.settings.base")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from lumiku.core.ws_auth import BrowserOriginOrTicketValidator, WebSocketAuthMiddlewareStack  # noqa: E402
from lumiku.routing import asgi_http_application, websocket_urlpatterns  # noqa: E402

# The products' routes were registered by their AppConfig.ready() during get_asgi_application() above.
application = ProtocolTypeRouter(
    {
        # Fast paths the products register (the pose library's cached pages for anonymous visitors) answer
        # before Django; everything else goes through Django.
        "http": asgi_http_application(django_asgi_app),
        # A browser's Origin must be an allowed host; a client without one must bring a ticket.
        "websocket": BrowserOriginOrTicketValidator(
            WebSocketAuthMiddlewareStack(URLRouter(websocket_urlpatterns()))
        ),
    }
)
