import pytest

from tests.clients import api_client_for
from tests.requests_community.factories import ModeratorFactory


@pytest.fixture
def moderator(db):
    return ModeratorFactory()


@pytest.fixture
def mod_client(moderator):
    return api_client_for(moderator)


@pytest.fixture
def published(transactional_db):
    """Realtime events that reached the users' WebSocket groups through the real channel layer
    (after commit), as (user_id, event_type, payload); users made by the factories are listened to."""
    from tests import realtime

    realtime.active = realtime.RealtimeRecorder()
    try:
        yield realtime.RecordedEvents(realtime.active)
    finally:
        realtime.active = None
