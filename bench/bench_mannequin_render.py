"""Mannequin render time at the library's three picture sizes.

    .venv/bin/python bench/bench_mannequin_render.py [--repeats 5] [--out bench/out]

Best of ``repeats`` per pose and size, then the mean and worst over the poses, as wall-clock time
and as CPU time of this process (the box is shared: when other work competes for its two cores the
CPU time is the steadier figure). With ``--out`` the pictures are written there as PNG.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posegen.posekit.render_controlnet import encode_png  # noqa: E402
from posegen.posekit.render_mannequin import (  # noqa: E402
    PREVIEW_SIZE,
    REFERENCE_SIZE,
    THUMBNAIL_SIZE,
    render_mannequin,
)
from posegen.posekit.skeleton import Camera, Root, make_pose  # noqa: E402

POSES = {
    "standing": make_pose(camera=Camera(yaw=20)),
    "hands_on_hips": make_pose(angles={"shoulder.abduction": 45, "shoulder.flexion": -20, "shoulder.rotation": 80,
                                       "elbow.flexion": 100}, camera=Camera(yaw=30)),
    "sitting": make_pose(angles={"hip.flexion": 90, "knee.flexion": 90, "shoulder.flexion": 20,
                                 "elbow.flexion": 60}, camera=Camera(yaw=40)),
    "walking": make_pose(angles={"l_hip.flexion": 25, "r_hip.flexion": -15, "r_knee.flexion": 25,
                                 "l_knee.flexion": 5, "r_shoulder.flexion": 25, "l_shoulder.flexion": -25,
                                 "elbow.flexion": 20, "r_ankle.flexion": -15}, camera=Camera(yaw=60)),
    "kneeling": make_pose(angles={"knee.flexion": 90, "ankle.flexion": -40, "shoulder.flexion": 10},
                          camera=Camera(yaw=50)),
    "lying_on_side": make_pose(angles={"hip.flexion": 20, "knee.flexion": 30, "l_shoulder.flexion": 90,
                                       "r_shoulder.flexion": 150, "r_elbow.flexion": 120},
                               root=Root(roll=90), camera=Camera(pitch=20)),
    "jumping": make_pose(angles={"hip.flexion": 40, "knee.flexion": 80, "shoulder.abduction": 150,
                                 "ankle.flexion": -30}, root=Root(lift=0.35), camera=Camera(yaw=15)),
    "arms_crossed": make_pose(angles={"shoulder.flexion": 25, "shoulder.abduction": -5, "shoulder.rotation": 85,
                                      "elbow.flexion": 100}, camera=Camera(yaw=-25)),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    print(f"{'size':>10} {'wall mean ms':>13} {'wall worst':>11} {'cpu mean ms':>12} {'cpu worst':>10}  worst pose")
    for width, height in (REFERENCE_SIZE, PREVIEW_SIZE, THUMBNAIL_SIZE):
        wall, cpu = {}, {}
        for name, pose in POSES.items():
            image = render_mannequin(pose=pose, width=width, height=height)  # warm caches
            samples = []
            for _ in range(args.repeats):
                w, c = time.perf_counter(), time.process_time()
                render_mannequin(pose=pose, width=width, height=height)
                samples.append((time.perf_counter() - w, time.process_time() - c))
            wall[name] = min(s[0] for s in samples)
            cpu[name] = min(s[1] for s in samples)
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                (args.out / f"mannequin_{name}_{width}x{height}.png").write_bytes(encode_png(image=image))
        worst = max(wall, key=wall.get)
        print(f"{width:>4}x{height:<5} {np.mean(list(wall.values())) * 1e3:13.1f} {wall[worst] * 1e3:11.1f} "
              f"{np.mean(list(cpu.values())) * 1e3:12.1f} {max(cpu.values()) * 1e3:10.1f}  {worst}")


if __name__ == "__main__":
    main()
