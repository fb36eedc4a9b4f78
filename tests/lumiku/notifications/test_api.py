"""GET /api/notifications, POST /api/notifications/<id>/read and /read-all: the user's own rows only."""

import pytest

from tests.lumiku.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db
URL = "/api/notifications"


def test_list_is_mine_newest_first_with_unread_count(auth_client, other_user):
    old = NotificationFactory(user=auth_client.user)
    new = NotificationFactory(user=auth_client.user)
    NotificationFactory(user=other_user)
    body = auth_client.get(URL).json()
    assert [n["id"] for n in body["notifications"]] == [str(new.pk), str(old.pk)]
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 2, "totalPages": 1}
    assert body["unreadCount"] == 2
    assert set(body["notifications"][0]) == {"id", "kind", "title", "body", "link", "data", "isRead", "readAt",
                                             "createdAt"}


def test_mark_one_read_then_all(auth_client, other_user):
    first, second, third = NotificationFactory.create_batch(3, user=auth_client.user)
    others = NotificationFactory(user=other_user)
    response = auth_client.post(f"{URL}/{first.pk}/read")
    assert response.status_code == 200
    assert response.json()["notification"]["isRead"] is True
    read_at = response.json()["notification"]["readAt"]
    assert auth_client.post(f"{URL}/{first.pk}/read").json()["notification"]["readAt"] == read_at  # idempotent
    unread = auth_client.get(URL, {"unread": "true"}).json()
    assert {n["id"] for n in unread["notifications"]} == {str(second.pk), str(third.pk)}
    assert unread["unreadCount"] == 2
    assert auth_client.post(f"{URL}/read-all").json() == {"updated": 2}
    assert auth_client.get(URL).json()["unreadCount"] == 0
    others.refresh_from_db()
    assert others.read_at is None


def test_someone_elses_notification_is_404(auth_client, other_user):
    theirs = NotificationFactory(user=other_user)
    response = auth_client.post(f"{URL}/{theirs.pk}/read")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOTIFICATION_NOT_FOUND"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_anonymous_is_401(api_client):
    assert api_client.get(URL).status_code == 401
    assert api_client.post(f"{URL}/read-all").status_code == 401
