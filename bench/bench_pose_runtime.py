"""Speed of the legacy MediaPipe graph against the same models on LiteRT (issue 20).

    git worktree add /tmp/legacy-pose e0dd596      # the last commit with the legacy graph
    .venv/bin/python bench/bench_pose_runtime.py --legacy-tree /tmp/legacy-pose \
        --legacy-python /tmp/venv311/bin/python [--litert-python .venv/bin/python] [--rounds 3] [--repeats 5]

The legacy graph (``mp.solutions`` of mediapipe 0.10.21: Python 3.11/3.12, NumPy 1) is no longer in
this tree, so its side runs from a checkout of a commit that has it (``--legacy-tree``, with
``POSEKIT_RUNTIME=mediapipe``) on an interpreter that has mediapipe installed. Each round starts one
worker process per side, in alternating order, and each worker times ``extract_pose`` and
``segment_person`` on the annotated photos' bytes after a warm-up. Per photo and side the figure is
the fastest wall time and the median CPU time (user + system of all the process's threads) over
every round; CPU time moves far less than wall time with the load of a shared machine. Accuracy is
measured by bench_extract.py and bench_segmentation.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PHOTOS = (
    "fullbody_skier_snow_coco785.jpg",
    "sitting_street_bw_coco40083.jpg",
    "fullbody_three_walking_airport_ochuman.jpg",
    "fullbody_standing_lab_h36m_S1.jpg",
    "sitting_floor_lab_h36m_S5.jpg",
    "fullbody_yoga_warrior2_beach.jpg",
    "upper_arms_crossed_portrait.jpg",
    "upper_three_people_waving_office.jpg",
)


def worker(testdata: Path, repeats: int) -> None:
    sys.path.insert(0, str(REPO))
    from posegen.imaging.segmentation import segment_person
    from posegen.imaging.segmentation import warm_up as warm_up_segmentation
    from posegen.posekit.extract import extract_pose

    warm_up_segmentation()
    out: dict[str, dict[str, list[float]]] = {}
    for name in PHOTOS:
        data = (testdata / "images" / name).read_bytes()
        for op, call in (
            ("extract", lambda data=data: extract_pose(image=data)),
            ("segment", lambda data=data: segment_person(image=data)),
        ):
            call()  # first call at this size (the legacy graph reallocates per size)
            walls, cpus = [], []
            for _ in range(repeats):
                c0, w0 = time.process_time(), time.perf_counter()
                call()
                walls.append((time.perf_counter() - w0) * 1000)
                cpus.append((time.process_time() - c0) * 1000)
            out[f"{op}:{name}"] = {"wall": walls, "cpu": cpus}
    print(json.dumps({"python": platform.python_version(), "times": out}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--legacy-tree", type=Path, help="a checkout that still has the legacy graph (e0dd596)")
    parser.add_argument("--legacy-python", help="an interpreter with mediapipe==0.10.21 installed")
    parser.add_argument("--litert-python", default=str(REPO / ".venv" / "bin" / "python"))
    parser.add_argument("--testdata", type=Path, default=REPO.parent / "shared" / "testdata")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.testdata, args.repeats)
        return 0

    if not args.legacy_tree or not args.legacy_python:
        parser.error("--legacy-tree and --legacy-python are required: the legacy graph is not in this tree")
    # Each side runs its own tree's copy of this script as the worker (same worker protocol).
    sides = {
        "legacy": (args.legacy_python, args.legacy_tree / "bench" / "bench_pose_runtime.py", "mediapipe"),
        "litert": (args.litert_python, Path(__file__).resolve(), "litert"),
    }
    merged: dict[str, dict[str, dict[str, list[float]]]] = {side: {} for side in sides}
    versions = {}
    for round_no in range(args.rounds):
        order = list(sides) if round_no % 2 == 0 else list(reversed(sides))
        for side in order:
            python, script, runtime = sides[side]
            env = {**os.environ, "POSEKIT_RUNTIME": runtime}
            command = [python, str(script), "--worker", "--testdata", str(args.testdata)]
            command += ["--repeats", str(args.repeats)]
            proc = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            report = json.loads(proc.stdout.strip().splitlines()[-1])
            versions[side] = report["python"]
            for key, runs in report["times"].items():
                slot = merged[side].setdefault(key, {"wall": [], "cpu": []})
                slot["wall"] += runs["wall"]
                slot["cpu"] += runs["cpu"]

    print(f"{'op:photo':58} {'legacy wall':>11} {'litert wall':>11} {'legacy cpu':>10} {'litert cpu':>10}")
    totals = {side: {"wall": 0.0, "cpu": 0.0} for side in sides}
    per_op: dict[str, dict[str, dict[str, float]]] = {}
    for key in merged["legacy"]:
        row = {side: (min(merged[side][key]["wall"]), statistics.median(merged[side][key]["cpu"])) for side in sides}
        op = key.split(":")[0]
        for side, (wall, cpu) in row.items():
            per_op.setdefault(op, {}).setdefault(side, {"wall": 0.0, "cpu": 0.0})
            per_op[op][side]["wall"] += wall
            per_op[op][side]["cpu"] += cpu
            totals[side]["wall"] += wall
            totals[side]["cpu"] += cpu
        (legacy_wall, legacy_cpu), (litert_wall, litert_cpu) = row["legacy"], row["litert"]
        print(f"{key[:58]:58} {legacy_wall:11.1f} {litert_wall:11.1f} {legacy_cpu:10.1f} {litert_cpu:10.1f}")
    for op, sums in per_op.items():
        n = len(PHOTOS)
        wall_ratio = sums["litert"]["wall"] / sums["legacy"]["wall"]
        cpu_ratio = sums["litert"]["cpu"] / sums["legacy"]["cpu"]
        print(
            f"{op} mean ms: wall {sums['legacy']['wall'] / n:.1f} -> {sums['litert']['wall'] / n:.1f} "
            f"({wall_ratio - 1:+.1%}), cpu {sums['legacy']['cpu'] / n:.1f} -> {sums['litert']['cpu'] / n:.1f} "
            f"({cpu_ratio - 1:+.1%})"
        )
    print(f"legacy: python {versions['legacy']}; litert: python {versions['litert']}; {platform.machine()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
