"""Pipeline benchmarks on the production-style stack (PostgreSQL + Redis + a real Celery worker process).

1. POST /generate with 100 poses: p50/p99 latency (in-process Django client: validation, pricing,
   locks, charge, 100 GeneratedPose rows, enqueue on commit to Redis).
2. Pipeline overhead: a 500-image generation end to end with the `instant` engine and one worker
   (-c 2 on this 2-core machine; prefork as in the Procfile, BENCH_POOL=threads to compare): wall time
   per image.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lumiku_bench REDIS_URL=redis://127.0.0.1:6379/14 \
        .venv/bin/python bench/bench_pipeline.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lumiku.settings.base")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lumiku_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ["POSEGEN_ENGINE"] = "instant"
os.environ["RATE_LIMITS"] = '{"generate": "1000000/minute"}'  # measure the pipeline, not the rate limit

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from lumiku.celery import app  # noqa: E402
from lumiku.credits.services import credits_grant  # noqa: E402
from posegen.models import PoseCategory, PoseGeneration, PoseGeneratorProject, PoseLibrary  # noqa: E402
from posegen.posekit.skeleton import make_pose, pose_to_dict, project_pose  # noqa: E402


def setup_data(n_poses: int):
    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(email="bench@lumiku.local")
    credits_grant(user_id=user.pk, amount=10_000_000, idempotency_key=f"grant:bench:{time.time_ns()}")
    category, _ = PoseCategory.objects.get_or_create(slug="bench", defaults={"name": "Bench", "display_name": "B"})
    pose = make_pose(angles={"shoulder.abduction": 30})
    keypoints = project_pose(pose=pose, width=768, height=1024).keypoints.round(4).tolist()
    have = PoseLibrary.objects.filter(category=category).count()
    PoseLibrary.objects.bulk_create([
        PoseLibrary(name=f"Bench pose {i}", category=category, pose_structure=pose_to_dict(pose=pose),
                    keypoints=keypoints) for i in range(have, n_poses)
    ])
    poses = list(PoseLibrary.objects.filter(category=category).values_list("pk", flat=True)[:n_poses])
    project = PoseGeneratorProject.objects.filter(user=user).first() or PoseGeneratorProject.objects.create(
        user=user, project_name="Bench", avatar_image=_avatar(user))
    return user, project, poses


def _avatar(user) -> str:
    import io

    from PIL import Image

    from lumiku.core.storage import storage_save, user_storage_key

    buf = io.BytesIO()
    Image.new("RGB", (64, 96), (180, 120, 90)).save(buf, "PNG")
    return storage_save(key=user_storage_key(user_id=user.pk, kind="bench", extension="PNG"), content=buf.getvalue())


def bench_submit(user, project, poses, runs: int = 60) -> dict:
    client = APIClient()
    client.force_authenticate(user=user)
    body = {"projectId": str(project.pk), "generationType": "GALLERY_REFERENCE",
            "selectedPoseIds": [str(p) for p in poses[:100]], "batchSize": 1}
    timings = []
    for i in range(runs + 5):
        started = time.perf_counter()
        response = client.post("/api/apps/pose-generator/generate", body, format="json")
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 202, response.content
        if i >= 5:  # warm-up
            timings.append(elapsed)
    # These generations are not meant to run: cancel them so the worker below has only its own work.
    app.control.purge()
    PoseGeneration.objects.filter(user=user, status="pending").update(status="cancelled")
    timings.sort()
    return {"p50": statistics.median(timings), "p99": timings[int(len(timings) * 0.99) - 1], "n": len(timings)}


# The Procfile's worker processes use Celery's default prefork pool; BENCH_POOL=threads compares.
POOL = os.environ.get("BENCH_POOL", "prefork")


def bench_pipeline(user, project, poses, images: int = 500) -> dict:
    env = {**os.environ, "POSEGEN_ENGINE": "instant", "PYTHONUNBUFFERED": "1"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "lumiku", "worker", "-Q", "default,engine,export", "-c", "2",
         "-P", POOL, "-l", "WARNING", "-n", "bench@%h"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(6)  # worker start-up (imports, broker connection)
        client = APIClient()
        client.force_authenticate(user=user)
        body = {"projectId": str(project.pk), "generationType": "GALLERY_REFERENCE",
                "selectedPoseIds": [str(p) for p in poses[:100]], "batchSize": images // 100}
        started = time.perf_counter()
        generation_id = client.post("/api/apps/pose-generator/generate", body, format="json").json()["generationId"]
        while True:
            generation = PoseGeneration.objects.get(pk=generation_id)
            if generation.status in ("completed", "partial", "failed"):
                break
            time.sleep(0.05)
        wall = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return {"images": generation.total_expected_poses, "status": generation.status, "wall_s": wall,
            "ms_per_image": wall * 1000 / generation.total_expected_poses,
            "completed": generation.poses_completed}


if __name__ == "__main__":
    user, project, poses = setup_data(100)
    submit = bench_submit(user, project, poses)
    print(f"POST /generate (100 poses): p50 {submit['p50']:.1f} ms  p99 {submit['p99']:.1f} ms  (n={submit['n']})")
    pipe = bench_pipeline(user, project, poses)
    print(f"Pipeline, instant engine, one worker (-P {POOL} -c 2): {pipe['images']} images {pipe['status']} "
          f"({pipe['completed']} completed) in {pipe['wall_s']:.1f} s = {pipe['ms_per_image']:.1f} ms/image")
