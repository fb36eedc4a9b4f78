import pytest

from tests.lumiku.webhooks.receiver import receiver_start


@pytest.fixture
def receiver(settings):
    """The loopback receiver, allowed as a private host (as a private deployment would name its own)."""
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_TIMEOUT_SECONDS = 2.0
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.05
    server = receiver_start()
    yield server
    server.server.shutdown()
    server.server.server_close()
