"""Benchmark pose-from-photo: PCK@0.2 (torso-normalised) against ground truth, and ms per image.

    .venv/bin/python bench/bench_extract.py [--testdata ../shared/testdata] [--repeats 3]

Ground truth: ``annotations/gt_keypoints_by_fixture.json`` (COCO-17, Human3.6M-17, MPII-16 or, for
the yoga photo, the BlazePose-33 landmarks MediaPipe is expected to output). Each format is mapped
onto the COCO-18 joints it can express and only joints present in both are compared; see
posegen/posekit/extract_eval.py for the definitions:

  torso     = pixel distance from the ground truth's shoulder midpoint (COCO-18 neck) to its hip
              midpoint;
  PCK@0.2   = share of labelled ground-truth joints whose prediction lies within 0.2 x torso.

Where the ground truth has several people, our one output is scored against the person it matches
best (the table says which one and whether that is the largest annotated person). An extra row
compares the 153x192 LSP photo with real OpenPose BODY_25 output (a reference, not human ground
truth); it is reported but left out of the overall figure.

Timing is wall-clock per ``extract_pose`` call on encoded bytes (decode included), median of
``--repeats`` runs, after one warm-up call that loads the models.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from posegen.posekit.extract import NoPersonDetected, extract_pose, warm_up  # noqa: E402
from posegen.posekit.extract_eval import (  # noqa: E402
    GroundTruthPerson,
    gt_persons_to_coco18,
    pck,
)

# BODY_25 -> COCO-18 (BODY_25 adds MidHip at 8 and feet after 18).
_BODY25_TO_COCO18 = (0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18)


def _openpose_reference(path: Path) -> list[GroundTruthPerson]:
    data = json.loads(path.read_text())
    people = []
    for person in data["people"]:
        flat = np.asarray(person["pose_keypoints_2d"], dtype=np.float64).reshape(-1, 3)
        kps = flat[list(_BODY25_TO_COCO18)].copy()
        kps[:, 2] = (kps[:, 2] > 0).astype(np.float64)
        # Neck as the shoulders' midpoint, as everywhere else here (OpenPose regresses its own).
        if kps[2, 2] and kps[5, 2]:
            kps[1] = ((kps[2, 0] + kps[5, 0]) / 2, (kps[2, 1] + kps[5, 1]) / 2, 1.0)
        people.append(GroundTruthPerson(keypoints=kps))
    return people


def _bbox_area(gt: GroundTruthPerson) -> float:
    pts = gt.keypoints[gt.labelled, :2]
    if len(pts) < 2:
        return 0.0
    span = pts.max(axis=0) - pts.min(axis=0)
    return float(span[0] * span[1])


def _score(pred_px: np.ndarray, persons: list[GroundTruthPerson]) -> tuple[int, object] | None:
    best = None
    for i, gt in enumerate(persons):
        score = pck(predicted_px=pred_px, gt=gt, alpha=0.2)
        if score is None:
            continue
        if best is None or score.value > best[1].value:
            best = (i, score)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--testdata", type=Path, default=REPO.parent / "shared" / "testdata")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    gt_path = args.testdata / "annotations" / "gt_keypoints_by_fixture.json"
    if not gt_path.is_file():
        print(f"Ground truth not found at {gt_path}", file=sys.stderr)
        return 2
    gt_all = json.loads(gt_path.read_text())
    cases: list[tuple[str, list[GroundTruthPerson], str, bool]] = [
        (name, gt_persons_to_coco18(entry=entry), entry["keypoint_format"].split()[0], True)
        for name, entry in gt_all.items()
    ]
    op_ref = args.testdata / "annotations" / "fullbody_baseball_walking_lsp_tiny__openpose_body25.json"
    if op_ref.is_file():
        cases.append(
            ("fullbody_baseball_walking_lsp_tiny.jpg", _openpose_reference(op_ref), "openpose25*", False)
        )

    t0 = time.perf_counter()
    warm_up()
    print(f"model load + warm-up: {(time.perf_counter() - t0) * 1000:.0f} ms")

    header = (
        f"{'image':48} {'format':12} {'people':>6} {'gt#':>5} {'PCK@0.2':>8} {'joints':>7} "
        f"{'torso px':>8} {'ms':>6}"
    )
    print(header)
    print("-" * len(header))
    correct = total = 0
    times: list[float] = []
    for name, persons, fmt, counted in cases:
        data = (args.testdata / "images" / name).read_bytes()
        runs = []
        result = None
        try:
            for _ in range(max(1, args.repeats)):
                t = time.perf_counter()
                result = extract_pose(image=data)
                runs.append((time.perf_counter() - t) * 1000)
        except NoPersonDetected:
            print(f"{name:48} {fmt:12} {'-':>6} {'-':>5} {'no person':>8}")
            if counted:
                total += sum(int(p.labelled.sum()) for p in persons[:1])
            continue
        ms = statistics.median(runs)
        if counted:
            times.append(ms)
        best = _score(result.keypoints_px(), persons)
        if best is None:
            print(f"{name:48} {fmt:12} {result.people_detected:>6} {'-':>5} {'no torso':>8} {'':>7} {'':>8} {ms:6.0f}")
            continue
        index, score = best
        largest = int(np.argmax([_bbox_area(p) for p in persons]))
        tag = f"{index + 1}/{len(persons)}" + ("" if index == largest or len(persons) == 1 else "s")
        print(
            f"{name:48} {fmt:12} {result.people_detected:>6} {tag:>5} {score.value:8.3f} "
            f"{score.correct:>3}/{score.total:<3} {score.torso_px:8.0f} {ms:6.0f}"
        )
        if counted:
            correct += score.correct
            total += score.total
    print("-" * len(header))
    overall = correct / total if total else float("nan")
    mean_ms = statistics.mean(times) if times else float("nan")
    print(
        f"{'overall (ground-truth rows)':48} {'':12} {'':>6} {'':>5} {overall:8.3f} "
        f"{correct:>3}/{total:<3} {'':>8} {mean_ms:6.0f}"
    )
    print(
        "gt# = ground-truth person matched / annotated people ('s' = not the largest annotated); "
        "* = OpenPose output as reference, not in overall"
    )
    print(f"python {platform.python_version()}, {platform.machine()}, {platform.processor() or 'cpu'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
