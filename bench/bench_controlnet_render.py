"""ControlNet OpenPose map: our renderer against controlnet_aux's draw_bodypose, side by side.

    .venv/bin/python bench/bench_controlnet_render.py [--util PATH] [--repeats 7] [--number 200]

The reference is the genuine ``controlnet_aux/open_pose/util.py`` file of the package installed in
the throwaway ``.bench-venv`` (``pip install --no-deps controlnet_aux``). Importing the package
would pull in torch (``open_pose/body.py`` imports it at the top just to define the ``Keypoint``
named tuple), so the util file is loaded on its own by path, with a stand-in ``body`` module
providing a ``Keypoint`` with the same fields; ``draw_bodypose`` only reads ``.x`` and ``.y``.
Both renderers run in this one process with the same NumPy and OpenCV. If the file cannot be
found, a transcription of the published algorithm is used instead and the output says so.

For each pose: the best of ``repeats`` timings of ``number`` maps (768 x 1024, canvas allocation
included for both, keypoints already in each renderer's input form), and the pixel difference.
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import math
import platform
import sys
import timeit
import types
from pathlib import Path
from typing import NamedTuple

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posegen.posekit.formats import load_openpose  # noqa: E402
from posegen.posekit.keypoints import LIMBS, OPENPOSE_COLORS  # noqa: E402
from posegen.posekit.render_controlnet import encode_png, render_controlnet_map  # noqa: E402
from posegen.posekit.skeleton import Camera, Root, make_pose, project_pose  # noqa: E402

WIDTH, HEIGHT = 768, 1024
SHARED_POSES = ROOT.parent / "shared" / "testdata" / "poses"


class Keypoint(NamedTuple):
    """Stand-in for controlnet_aux.open_pose.body.Keypoint (same fields and defaults)."""

    x: float
    y: float
    score: float = 1.0
    id: int = -1


def load_reference(util_path: str | None):
    """(draw_bodypose, description) from controlnet_aux, or the transcription when absent."""
    candidates = [util_path] if util_path else sorted(
        glob.glob(str(ROOT / ".bench-venv/lib/python3*/site-packages/controlnet_aux/open_pose/util.py")))
    for path in candidates:
        if path and Path(path).is_file():
            package = types.ModuleType("controlnet_aux")
            package.__path__ = []
            sub = types.ModuleType("controlnet_aux.open_pose")
            sub.__path__ = [str(Path(path).parent)]
            body = types.ModuleType("controlnet_aux.open_pose.body")
            body.Keypoint = Keypoint
            body.BodyResult = NamedTuple("BodyResult", [("keypoints", list), ("total_score", float),
                                                        ("total_parts", int)])
            sys.modules.update({"controlnet_aux": package, "controlnet_aux.open_pose": sub,
                                "controlnet_aux.open_pose.body": body})
            spec = importlib.util.spec_from_file_location("controlnet_aux.open_pose.util", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            version = _installed_version(Path(path))
            return module.draw_bodypose, f"controlnet_aux {version} draw_bodypose ({path})"
    return _transcribed_draw_bodypose, "TRANSCRIPTION of controlnet_aux draw_bodypose (package not found)"


def _installed_version(util: Path) -> str:
    site = util.parents[2]
    found = sorted(site.glob("controlnet_aux-*.dist-info"))
    return found[0].name.removeprefix("controlnet_aux-").removesuffix(".dist-info") if found else "?"


def _transcribed_draw_bodypose(canvas: np.ndarray, keypoints: list) -> np.ndarray:
    """The published algorithm, step for step, for machines without the package."""
    height, width, _ = canvas.shape
    for (k1, k2), color in zip(LIMBS, OPENPOSE_COLORS, strict=False):
        a, b = keypoints[k1], keypoints[k2]
        if a is None or b is None:
            continue
        y = np.array([a.x, b.x]) * float(width)
        x = np.array([a.y, b.y]) * float(height)
        length = ((x[0] - x[1]) ** 2 + (y[0] - y[1]) ** 2) ** 0.5
        angle = math.degrees(math.atan2(x[0] - x[1], y[0] - y[1]))
        polygon = cv2.ellipse2Poly((int(np.mean(y)), int(np.mean(x))), (int(length / 2), 4), int(angle), 0, 360, 1)
        cv2.fillConvexPoly(canvas, polygon, [int(float(c) * 0.6) for c in color])
    for point, color in zip(keypoints, OPENPOSE_COLORS, strict=True):
        if point is not None:
            cv2.circle(canvas, (int(point.x * width), int(point.y * height)), 4, list(color), thickness=-1)
    return canvas


def bench_poses() -> dict[str, np.ndarray]:
    """(18, 3) normalised keypoints for a 768 x 1024 canvas, by name."""
    specs = {
        "standing front": make_pose(),
        "hands on hips 3/4": make_pose(angles={"shoulder.abduction": 45, "shoulder.flexion": -20,
                                               "shoulder.rotation": 80, "elbow.flexion": 100}, camera=Camera(yaw=35)),
        "sitting": make_pose(angles={"hip.flexion": 90, "knee.flexion": 90, "shoulder.flexion": 20,
                                     "elbow.flexion": 60}, camera=Camera(yaw=40)),
        "walking profile": make_pose(angles={"l_hip.flexion": 25, "r_hip.flexion": -15, "r_knee.flexion": 25,
                                             "r_shoulder.flexion": 25, "l_shoulder.flexion": -25,
                                             "elbow.flexion": 20}, camera=Camera(yaw=80)),
        "back view": make_pose(angles={"shoulder.abduction": 20}, camera=Camera(yaw=180)),
        "lying on side": make_pose(angles={"hip.flexion": 20, "knee.flexion": 30}, root=Root(roll=90)),
    }
    poses = {name: project_pose(pose=pose, width=WIDTH, height=HEIGHT).keypoints for name, pose in specs.items()}
    if SHARED_POSES.is_dir():
        for name in ("sdwebui_openpose_editor_pose.json", "spin_im1010_openpose_body25.json"):
            poses[name.removesuffix(".json")] = load_openpose(path=SHARED_POSES / name).people[0].body
    return poses


def as_keypoints(points: np.ndarray) -> list[Keypoint | None]:
    return [Keypoint(x, y) if c > 0 else None for x, y, c in points.tolist()]


def best(fn, number: int, repeats: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeats)) / number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--util", help="path to controlnet_aux/open_pose/util.py")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--number", type=int, default=200)
    args = parser.parse_args()
    draw_bodypose, reference = load_reference(args.util)
    print(f"reference: {reference}")
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"numpy {np.__version__}, opencv {cv2.__version__}, canvas {WIDTH}x{HEIGHT}")
    print(f"{'pose':38} {'ours µs':>9} {'ref µs':>9} {'ratio':>6} {'max|Δ|':>7} {'% px Δ':>7}")
    total_ours = total_ref = 0.0
    worst_diff = 0
    for name, points in bench_poses().items():
        keypoints = as_keypoints(points)

        def ours(points=points):
            return render_controlnet_map(keypoints=points, width=WIDTH, height=HEIGHT)

        def ref(keypoints=keypoints):
            return draw_bodypose(np.zeros((HEIGHT, WIDTH, 3), dtype=np.uint8), keypoints)

        # Interleave the two so drift in machine load hits both alike.
        t_ours, t_ref = [], []
        for _ in range(args.repeats):
            t_ours.append(best(ours, args.number, 1))
            t_ref.append(best(ref, args.number, 1))
        a, b = min(t_ours), min(t_ref)
        total_ours, total_ref = total_ours + a, total_ref + b
        diff = np.abs(ours().astype(int) - ref().astype(int))
        differing = 100.0 * float(np.any(diff > 0, axis=2).mean())
        worst_diff = max(worst_diff, int(diff.max()))
        print(f"{name:38} {a * 1e6:9.1f} {b * 1e6:9.1f} {a / b:6.2f} {int(diff.max()):7d} {differing:7.3f}")
    print(f"{'all poses':38} {total_ours * 1e6:9.1f} {total_ref * 1e6:9.1f} {total_ours / total_ref:6.2f} "
          f"{worst_diff:7d}")
    image = render_controlnet_map(keypoints=next(iter(bench_poses().values())), width=WIDTH, height=HEIGHT)
    png = best(lambda: encode_png(image=image), 20, args.repeats)
    print(f"encode_png of one map: {png * 1e3:.2f} ms, {len(encode_png(image=image))} bytes")


if __name__ == "__main__":
    main()
