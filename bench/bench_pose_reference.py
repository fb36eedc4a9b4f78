"""Mannequin or skeleton as the pose reference of an edit-style studio model: which transfers the pose better?

    POSEGEN_ENGINE=diffusers DIFFUSERS_MODEL_PATH=/models/FLUX.2-klein-4B \\
        .venv/bin/python bench/bench_pose_reference.py --avatar model.jpg [--poses 20] [--out artifacts/pose_ref]

Runs on a GPU machine with the model's weights (or against ComfyUI / an API: any POSEGEN_ENGINE whose
engine reads POSEGEN_POSE_REFERENCE: diffusers, comfyui, bfl, fal). For each of ``--poses`` seeded poses
(bench_offline.bench_poses: standing, arm, leg, step and turn variations, 0-45 degree camera yaw) it
generates the same pose twice with the same seed, once per reference kind, and scores both outputs:

- pose: posegen.engines.offline.fidelity.pose_fidelity (MediaPipe on the output, PCK@0.1 of the torso over
  the body joints after a scale+translation fit, better of target and mirror); no person found scores 0;
- identity: correlation of the hue-saturation histograms of the person in the avatar and in the output
  (the person masks from MediaPipe), as bench_offline does;
- seconds per image.

It prints one table row per kind (mean and 10th percentile of each score) and writes the outputs side by side
under ``--out`` for a look. Nothing here is used by the app; the figures go to bench/RESULTS.md with the date,
the machine and the model.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lumiku.settings.base")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from bench.bench_offline import bench_poses, person_hist  # noqa: E402
from posegen.engines import engine_get  # noqa: E402
from posegen.engines.base import EngineRequest  # noqa: E402
from posegen.engines.offline.fidelity import pose_fidelity  # noqa: E402
from posegen.posekit.extract import NoPersonDetected, extract_pose  # noqa: E402
from posegen.posekit.render_controlnet import encode_png, render_controlnet_map  # noqa: E402
from posegen.posekit.skeleton import pose_to_dict, project_pose  # noqa: E402

PROMPT = "a fashion model, studio photo"


def _person(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(RGB, person mask 0-255, COCO-18 keypoints in pixels) of the largest person, None if there is none."""
    try:
        found = extract_pose(image=data, with_person_mask=True)
    except NoPersonDetected:
        return None
    with Image.open(io.BytesIO(data)) as img:
        rgb = np.asarray(img.convert("RGB"))
    return rgb, (found.person_mask * 255).astype(np.uint8), found.keypoints


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--avatar", type=Path, required=True)
    parser.add_argument("--poses", type=int, default=20)
    parser.add_argument("--width", type=int, default=768)
    parser.add_argument("--height", type=int, default=1152)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "pose_reference")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    avatar_bytes = args.avatar.read_bytes()
    avatar = _person(avatar_bytes)
    if avatar is None:
        sys.exit(f"no person found in {args.avatar}")
    avatar_hist = person_hist(avatar[0], avatar[1])
    scores: dict[str, dict[str, list[float]]] = {}
    for kind in ("mannequin", "skeleton"):
        settings.POSEGEN_POSE_REFERENCE = kind
        from posegen import engines

        engines._engine.cache_clear()
        engine = engine_get()
        scores[kind] = {"pose": [], "identity": [], "seconds": []}
        for i, pose in enumerate(bench_poses(args.poses)):
            projected = project_pose(pose=pose, width=args.width, height=args.height)
            keypoints = projected.keypoints.astype(np.float32)
            request = EngineRequest(
                avatar_image=avatar_bytes, keypoints=keypoints, prompt=PROMPT, seed=args.seed,
                controlnet_map_loader=lambda k=keypoints: encode_png(image=render_controlnet_map(
                    keypoints=k, width=args.width, height=args.height)),
                width=args.width, height=args.height, pose_structure=pose_to_dict(pose=pose))
            started = time.perf_counter()
            result = engine.generate(dataclasses.replace(request, shoot_seed=args.seed))
            scores[kind]["seconds"].append(time.perf_counter() - started)
            (args.out / f"{i:03d}_{kind}.png").write_bytes(result.image)
            out = _person(result.image)
            if out is None:
                scores[kind]["pose"].append(0.0)
                scores[kind]["identity"].append(0.0)
                continue
            target_px = keypoints[:, :2] * np.array([args.width, args.height]) if keypoints[:, :2].max() <= 1.0 \
                else keypoints[:, :2]
            scores[kind]["pose"].append(float(pose_fidelity(detected=out[2], target=target_px, avatar=avatar[2])))
            scores[kind]["identity"].append(float(cv2.compareHist(avatar_hist, person_hist(out[0], out[1]),
                                                                  cv2.HISTCMP_CORREL)))
    print(f"engine {settings.POSEGEN_ENGINE}, {args.poses} poses, {args.width}x{args.height}, seed {args.seed}")
    print("| reference | pose fidelity mean / p10 | identity mean / p10 | s per image |")
    print("| --- | --- | --- | --- |")
    for kind, s in scores.items():
        print(f"| {kind} | {np.mean(s['pose']):.3f} / {np.percentile(s['pose'], 10):.3f} | "
              f"{np.mean(s['identity']):.3f} / {np.percentile(s['identity'], 10):.3f} | {np.mean(s['seconds']):.2f} |")


if __name__ == "__main__":
    main()
