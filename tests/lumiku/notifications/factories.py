from __future__ import annotations

import factory

from tests.factories import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notifications.Notification"

    user = factory.SubFactory(UserFactory)
    kind = "request.status_changed"
    title = factory.Sequence(lambda n: f"Notification {n}")
    body = "Body"
