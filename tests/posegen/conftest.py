import pytest

from posegen.services import backgrounds as background_service


@pytest.fixture
def events(monkeypatch):
    """The realtime events the background-change service publishes, in order: {"type": ..., **payload}."""
    seen = []
    monkeypatch.setattr(background_service, "realtime_publish",
                        lambda *, user_id, event_type, payload: seen.append({"type": event_type, **payload}))
    return seen
