import pytest
from rest_framework.test import APIClient

from tests.requests_community.factories import ModeratorFactory


@pytest.fixture
def moderator(db):
    return ModeratorFactory()


@pytest.fixture
def mod_client(moderator):
    client = APIClient()
    client.force_authenticate(user=moderator)
    client.user = moderator
    return client


@pytest.fixture
def published(monkeypatch):
    """Realtime events published by the moderation service: a list of (user_id, event_type, payload)."""
    events = []
    monkeypatch.setattr(
        "requests_community.services.moderation.realtime_publish",
        lambda *, user_id, event_type, payload: events.append((user_id, event_type, payload)),
    )
    return events
