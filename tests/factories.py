from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from lumiku.core.storage import storage_save, user_storage_key
from lumiku.credits.models import Wallet
from tests.images import image_bytes


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def wallet(self, create, extracted, **kwargs):
        if create:
            self.save()
            Wallet.objects.get_or_create(user=self)
            from tests import realtime

            if realtime.active is not None:  # a test is recording this user's WebSocket events
                realtime.active.listen(self.pk)


def stored_image(*, user_id, kind: str = "test") -> str:
    return storage_save(key=user_storage_key(user_id=user_id, kind=kind, extension="PNG"), content=image_bytes())


class AvatarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "avatars.Avatar"

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Avatar {n}")
    image = factory.LazyAttribute(lambda o: stored_image(user_id=o.user.pk, kind="avatars"))
    image_width = 64
    image_height = 96
    gender = "female"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "posegen.PoseGeneratorProject"

    user = factory.SubFactory(UserFactory)
    project_name = factory.Sequence(lambda n: f"Campaign {n}")
    avatar_image = factory.LazyAttribute(lambda o: stored_image(user_id=o.user.pk, kind="projects/avatars"))
    avatar_source = "UPLOAD"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "posegen.PoseCategory"

    name = factory.Sequence(lambda n: f"Category {n}")
    display_name = factory.LazyAttribute(lambda o: o.name)
    slug = factory.Sequence(lambda n: f"category-{n}")


class PoseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "posegen.PoseLibrary"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Pose {n}")
    category = factory.SubFactory(CategoryFactory)

    @factory.post_generation
    def counted_in_category(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the object
        # Keep the category's poseCount true, as the library services do.
        if create:
            from django.db.models import F

            obj.category.__class__.objects.filter(pk=obj.category_id).update(pose_count=F("pose_count") + 1)


class GenerationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "posegen.PoseGeneration"

    project = factory.SubFactory(ProjectFactory)
    user = factory.LazyAttribute(lambda o: o.project.user)
    generation_type = "GALLERY_REFERENCE"
    total_expected_poses = 1


def library_pose(*, category=None, name: str | None = None, **angles):
    """A library pose with a real pose structure and COCO-18 keypoints from the body model."""
    from posegen.posekit.skeleton import make_pose, pose_to_dict, project_pose

    pose = make_pose(angles=angles or {"shoulder.abduction": 30, "elbow.flexion": 20})
    keypoints = project_pose(pose=pose, width=768, height=1024).keypoints.round(4).tolist()
    kwargs = {"pose_structure": pose_to_dict(pose=pose), "keypoints": keypoints}
    if category is not None:
        kwargs["category"] = category
    if name:
        kwargs["name"] = name
    return PoseFactory(**kwargs)
