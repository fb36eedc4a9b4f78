from __future__ import annotations

import factory

from requests_community.naming import normalize_pose_name
from tests.factories import UserFactory


class ModeratorFactory(UserFactory):
    role = "moderator"
    is_staff = True


class PoseRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "requests_community.PoseRequest"

    user = factory.SubFactory(UserFactory)
    pose_name = factory.Sequence(lambda n: f"Requested pose {n}")
    normalized_name = factory.LazyAttribute(lambda o: normalize_pose_name(o.pose_name))
    description = "Standing, one hand on the hip, looking over the shoulder."


class VoteFactory(factory.django.DjangoModelFactory):
    """A vote row *and* its count, as the vote service would leave them."""

    class Meta:
        model = "requests_community.PoseRequestVote"

    user = factory.SubFactory(UserFactory)
    request = factory.SubFactory(PoseRequestFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from django.db.models import F

        from requests_community.models import PoseRequest

        vote = super()._create(model_class, *args, **kwargs)
        PoseRequest.objects.filter(pk=vote.request_id).update(votes_count=F("votes_count") + 1)
        return vote
