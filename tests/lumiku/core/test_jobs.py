"""lumiku.core.jobs on a real job table (posegen's BackgroundJob): a claim is taken once and carries a
fresh token, a lapsed lease can be taken over, only the token's holder releases, and the stored result
is a PNG with a JPEG thumbnail no wider than THUMBNAIL_WIDTH."""

import io
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from lumiku.core.jobs import THUMBNAIL_WIDTH, job_claim, job_image_store, job_release
from lumiku.core.storage import storage_read
from posegen.models import GeneratedPose
from posegen.models.generation import BackgroundJob, BackgroundJobStatus
from tests.factories import GenerationFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db
LEASE = 60


@pytest.fixture
def job():
    user = UserFactory()
    generation = GenerationFactory(project=ProjectFactory(user=user), user=user)
    pose = GeneratedPose.objects.create(generation=generation, sequence=0, status="completed",
                                        output_image="users/1/generations/a.png")
    return BackgroundJob.objects.create(pose=pose, user=user, mode="blur")


def _claim(job):
    return job_claim(jobs=BackgroundJob.objects.filter(pk=job.pk), pending=BackgroundJobStatus.PENDING,
                     processing=BackgroundJobStatus.PROCESSING, lease_seconds=LEASE)


def test_a_pending_job_is_claimed_once(job):
    token = _claim(job)
    assert token is not None
    job.refresh_from_db()
    assert (job.status, job.claim_token, job.attempts) == (BackgroundJobStatus.PROCESSING, token, 1)
    assert job.claimed_at is not None
    assert _claim(job) is None  # a second delivery of the same task finds it taken
    job.refresh_from_db()
    assert (job.claim_token, job.attempts) == (token, 1)


def test_a_claim_whose_lease_ran_out_is_taken_over_with_a_new_token(job):
    first = _claim(job)
    BackgroundJob.objects.filter(pk=job.pk).update(claimed_at=timezone.now() - timedelta(seconds=LEASE + 1))
    second = _claim(job)
    assert second is not None and second != first
    job.refresh_from_db()
    assert (job.claim_token, job.attempts) == (second, 2)


def test_only_the_holder_of_the_token_releases_the_job(job):
    token = _claim(job)
    jobs = BackgroundJob.objects.filter(pk=job.pk)
    assert job_release(jobs=jobs, token=uuid.uuid4(), pending=BackgroundJobStatus.PENDING) == 0
    job.refresh_from_db()
    assert job.status == BackgroundJobStatus.PROCESSING
    assert job_release(jobs=jobs, token=token, pending=BackgroundJobStatus.PENDING) == 1
    job.refresh_from_db()
    assert (job.status, job.claim_token) == (BackgroundJobStatus.PENDING, None)
    assert _claim(job) is not None  # released: the retry can claim it again


@pytest.mark.parametrize("finished", [BackgroundJobStatus.COMPLETED, BackgroundJobStatus.FAILED])
def test_a_finished_job_is_never_claimed(job, finished):
    BackgroundJob.objects.filter(pk=job.pk).update(status=finished)
    assert _claim(job) is None


def test_the_result_is_stored_as_png_with_a_jpeg_thumbnail():
    image = Image.new("RGB", (1000, 1500), (200, 30, 40))
    output, thumbnail = job_image_store(user_id=7, kind="generations/x", image=image)
    assert output.startswith("users/7/") and output.endswith(".png")
    with Image.open(io.BytesIO(storage_read(output))) as stored:
        assert (stored.format, stored.size) == ("PNG", (1000, 1500))
        assert stored.getpixel((500, 500)) == (200, 30, 40)
    with Image.open(io.BytesIO(storage_read(thumbnail))) as thumb:
        assert (thumb.format, thumb.size) == ("JPEG", (THUMBNAIL_WIDTH, 576))

