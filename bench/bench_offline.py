"""Offline engine: pose fidelity, identity, speed and memory over library-style poses x usable photos.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_offline.py [--poses 100] [--sheet artifacts/offline/sheet.png]

Photos: every image in ../shared/testdata/images that avatar_check() accepts (blocking problems
excluded, warnings allowed). Poses: ``--poses`` seeded poses from the posekit body model (standing,
arm, leg, step and turn variations within joint limits, 0-60 degree camera yaw, self-intersecting ones
dropped by posekit.catalog.anatomy.pose_collisions). Per photo the rig is built once.

Fidelity: posegen.engines.offline.fidelity.pose_fidelity (MediaPipe on the output, PCK@0.1 of the
torso over the 14 body joints after a scale+translation fit, better of target and mirror).
Identity: correlation of the hue-saturation histograms of the person in the avatar and in the output.
Speed: seconds per 1024x1536 image (repose + PNG encode) with OpenCV and BLAS on one thread.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import io
import resource
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posegen.engines.offline import avatar_check, repose, rig_avatar  # noqa: E402
from posegen.engines.offline.fidelity import pose_fidelity  # noqa: E402
from posegen.posekit.extract import NoPersonDetected, extract_pose  # noqa: E402
from posegen.posekit.skeleton import Camera, make_pose, project_pose  # noqa: E402

SHARED = ROOT.parent / "shared" / "testdata" / "images"
W, H = 1024, 1536


def bench_poses(count: int, seed: int = 11) -> list:
    from posegen.posekit.catalog.anatomy import pose_collisions

    rng = np.random.default_rng(seed)
    poses = []
    while len(poses) < count:
        kind = len(poses) % 5
        a = {}
        for side in ("l", "r"):
            a[f"{side}_shoulder.abduction"] = float(rng.uniform(5, 170 if kind in (1, 3) else 80))
            a[f"{side}_shoulder.flexion"] = float(rng.uniform(-30, 120 if kind == 2 else 40))
            a[f"{side}_elbow.flexion"] = float(rng.uniform(0, 120 if kind == 4 else 60))
            a[f"{side}_hip.abduction"] = float(rng.uniform(0, 35 if kind in (1, 3) else 15))
            a[f"{side}_hip.flexion"] = float(rng.uniform(-15, 45 if kind in (2, 4) else 15))
            a[f"{side}_knee.flexion"] = float(rng.uniform(0, 60 if kind in (2, 4) else 15))
        a["spine.lateral"] = float(rng.uniform(-12, 12))
        a["neck.tilt"] = float(rng.uniform(-15, 15))
        pose = make_pose(angles=a, camera=Camera(yaw=float(rng.uniform(-45, 45))))
        if not pose_collisions(pose=pose):
            poses.append(pose)
    return poses


def person_hist(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    mask = (alpha > 127).astype(np.uint8)
    hist = cv2.calcHist([hsv], [0, 1], mask, [30, 32], [0, 180, 0, 256])
    return cv2.normalize(hist, hist).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--poses", type=int, default=100)
    parser.add_argument("--sheet", type=Path, default=ROOT / "artifacts" / "offline" / "sheet.png")
    parser.add_argument("--sheet-poses", type=int, default=6)
    parser.add_argument("--only", default="", help="only photos whose name contains this")
    parser.add_argument("--dump", type=Path, default=None,
                        help="write per-pair scores (pairs.csv) and the worst outputs as PNGs here")
    parser.add_argument("--dump-worst", type=int, default=12)
    parser.add_argument("--measure-refused", default="",
                        help="comma-separated avatar_check codes: photos refused only for these are measured too "
                             "and reported apart (before/after comparisons on the same photos)")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    poses = bench_poses(args.poses)
    views = [project_pose(pose=p, width=W, height=H) for p in poses]
    photos, refused = [], set()
    for path in sorted(SHARED.glob("*.[jp][pn]g")):
        if args.only and args.only not in path.name:
            continue
        check = avatar_check(image=path.read_bytes())
        status = "usable" if check.ok else "skipped: " + ", ".join(p.code for p in check.problems)
        print(f"{path.name}: {status}; warnings: {', '.join(p.code for p in check.warnings) or '-'}")
        if check.ok:
            photos.append(path)
        elif {p.code for p in check.problems} <= set(filter(None, args.measure_refused.split(","))):
            photos.append(path)
            refused.add(path)
    all_fid, all_ident, times, rig_times, rows, sheet = [], [], [], [], [], []
    refused_fid: list[float] = []
    worst: list[tuple[float, str, int, np.ndarray]] = []  # (fidelity, photo, pose index, output)
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        pairs_csv = (args.dump / "pairs.csv").open("w")
        pairs_csv.write("photo,pose,fidelity,identity,seconds\n")
    for path in photos:
        t0 = time.perf_counter()
        avatar = rig_avatar(image=path.read_bytes())
        rig_times.append(time.perf_counter() - t0)
        tex = avatar.cutout.texture
        ref_hist = person_hist(np.ascontiguousarray(tex[:, :, :3]), tex[:, :, 3])
        fids, idents, thumbs = [], [], []
        for i, view in enumerate(views):
            t1 = time.perf_counter()
            rendered, _ = repose(avatar=avatar, target=view.keypoints, width=W, height=H, depth=view.depth,
                                 seed=i, variation=0)
            buf = io.BytesIO()
            Image.fromarray(rendered.rgb).save(buf, "PNG", compress_level=1)
            times.append(time.perf_counter() - t1)
            try:
                found = extract_pose(image=rendered.rgb).keypoints_px()
                fid = pose_fidelity(detected=found, target=view.keypoints_px(), avatar=avatar.rig.keypoints)
            except NoPersonDetected:
                fid = 0.0
            fids.append(fid)
            idents.append(float(cv2.compareHist(ref_hist, person_hist(rendered.rgb, rendered.alpha),
                                                cv2.HISTCMP_CORREL)))
            if args.dump:
                pairs_csv.write(f"{path.stem},{i},{fid:.4f},{idents[-1]:.4f},{times[-1]:.3f}\n")
                worst.append((fid, path.stem, i, cv2.resize(rendered.rgb, (W // 2, H // 2),
                                                            interpolation=cv2.INTER_AREA)))
                worst = sorted(worst, key=lambda w: w[0])[: args.dump_worst]
            if i < args.sheet_poses:
                thumbs.append(cv2.resize(rendered.rgb, (W // 5, H // 5), interpolation=cv2.INTER_AREA))
        src = cv2.resize(tex[:, :, :3], (max(1, int(tex.shape[1] * (H // 5) / tex.shape[0])), H // 5))
        src = src[:, : W // 5] if src.shape[1] > W // 5 else np.pad(src, ((0, 0), (0, W // 5 - src.shape[1]), (0, 0)),
                                                                   constant_values=255)
        sheet.append(np.hstack([src, *thumbs]))
        f = np.array(fids)
        rows.append((path.name, np.median(f), np.percentile(f, 10), np.mean(f), np.median(idents), rig_times[-1]))
        print(f"{path.name}: fidelity median {np.median(f):.3f} p10 {np.percentile(f, 10):.3f} "
              f"mean {f.mean():.3f}; identity median {np.median(idents):.3f}; rig {rig_times[-1]:.2f}s"
              + (" (refused by avatar_check; not in ALL below)" if path in refused else ""), flush=True)
        if path in refused:
            refused_fid += fids
            continue
        all_fid += fids
        all_ident += idents
    if args.dump:
        pairs_csv.close()
        for fid, stem, i, img in worst:
            Image.fromarray(img).save(args.dump / f"worst_{fid:.3f}_{stem}_{i:03d}.png")
    f = np.array(all_fid)
    t = np.array(times)
    print(f"\nALL {len(f)} pairs ({len(photos) - len(refused)} photos x {len(views)} poses): "
          f"fidelity median {np.median(f):.3f} "
          f"p10 {np.percentile(f, 10):.3f} mean {f.mean():.3f}")
    if refused_fid:
        g = np.array(all_fid + refused_fid)
        print(f"ALL incl. the {len(refused)} refused photo(s): {len(g)} pairs: fidelity median {np.median(g):.3f} "
              f"p10 {np.percentile(g, 10):.3f} mean {g.mean():.3f}")
    print("fidelity histogram (0, .25, .5, .75, .9, 1.01):",
          np.histogram(f, bins=[0, 0.25, 0.5, 0.75, 0.9, 1.01])[0].tolist())
    print(f"identity median {np.median(all_ident):.3f} p10 {np.percentile(all_ident, 10):.3f}")
    print(f"seconds per 1024x1536 image (repose + PNG): median {np.median(t):.3f} p90 {np.percentile(t, 90):.3f}; "
          f"rig build median {np.median(rig_times):.2f}s")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if sheet:
        grid = np.vstack(sheet)
        args.sheet.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(grid).save(args.sheet, optimize=True)
        print(f"contact sheet {args.sheet} {grid.shape[1]}x{grid.shape[0]}, {args.sheet.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
