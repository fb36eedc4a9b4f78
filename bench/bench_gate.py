"""Feasibility before payment and the quality gate before delivery, on the offline engine's real outputs.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_gate.py [--photos seller,images] [--only ccp_00] [--sheet DIR]

Photos: ``../shared/testdata/seller/images`` and ``../shared/testdata/images`` that ``avatar_check`` accepts
(research-only: nothing made from them is committed; the sheets go to a git-ignored folder). Poses: eight
library (posekit catalogue) poses a seller would choose: standing, walking, hand on hip, arms raised,
holding a product, three-quarter from behind, sitting on a chair, lying on the back.

Per photo the rig is built once and its traits judged (``avatar_traits``, as the photo check stores them);
per pose the engine's ``judge_poses`` says supported, adjusted (a holding arm kept as in the photo) or not
(what the library list, the wizard and ``POST /generate`` use). Every pose is rendered as the engine renders
it (``held_arm.aimed_target`` with those traits and that target: the kept arm where the verdict says so)
and gated (``quality_checks``): supported poses give the delivered share (the rest would be failed by the
gate and refunded); unsupported ones show whether the rules refused what the gate would also fail. A
supported pose whose render keeps another arm than its verdict says (or none) is a disagreement.
Times: render (``repose``) and gate per 1024x1536 image, one thread. ``--narrow-holes`` (default 0.06, a share
of the torso) lists the delivered images that the holes check would fail at that narrower ``hole_min``: the
tears on a bone left to the renderer's fixes (gate.py GateThresholds.hole_min).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import collections
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posegen.engines.offline import avatar_check, repose, rig_avatar  # noqa: E402
from posegen.engines.offline.engine import avatar_traits  # noqa: E402
from posegen.engines.offline.feasibility import judge_pose  # noqa: E402
from posegen.engines.offline.gate import GateThresholds, hole_check, quality_checks  # noqa: E402
from posegen.engines.offline.held_arm import aimed_target  # noqa: E402
from posegen.posekit.catalog import build_catalog  # noqa: E402
from posegen.posekit.skeleton import project_pose  # noqa: E402

TESTDATA = ROOT.parent / "shared" / "testdata"
W, H = 1024, 1536
POSES = (
    "Standing, weight on one leg, looking left, front",
    "Walking, front",
    "Left hand on hip, right hand on chin, head tilted, front",
    "Arms raised, front",
    "Holding a product at chest height with both hands, front",
    "Right hand in hair, back 3/4 right",
    "Hands on knees, sitting on a chair, front",
    "Lying on the back, front",
)


def _photos(kinds: list[str], only: str) -> list[Path]:
    folders = {"seller": TESTDATA / "seller" / "images", "images": TESTDATA / "images"}
    found = []
    for kind in kinds:
        found += sorted(p for p in folders[kind].glob("*.[jp][pn]g") if only in p.name)
    return found


def _thumb(rgb: np.ndarray, label: str, ok: bool) -> np.ndarray:
    small = cv2.resize(rgb, (160, 240), interpolation=cv2.INTER_AREA)
    cv2.rectangle(small, (0, 0), (159, 239), (40, 160, 60) if ok else (220, 30, 30), 3)
    cv2.putText(small, label[:22], (4, 234), cv2.FONT_HERSHEY_SIMPLEX, 0.35, (0, 0, 0), 1, cv2.LINE_AA)
    return small


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", default="seller,images")
    parser.add_argument("--only", default="")
    parser.add_argument("--sheet", type=Path, default=ROOT / "artifacts" / "gate")
    parser.add_argument("--narrow-holes", type=float, default=0.06)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    if not TESTDATA.exists():
        print(f"no {TESTDATA}", file=sys.stderr)
        return 2
    catalog = {p.name: p for p in build_catalog().poses}
    views = [project_pose(pose=catalog[name].pose, width=W, height=H) for name in POSES]
    structures = [catalog[name].pose_dict for name in POSES]
    args.sheet.mkdir(parents=True, exist_ok=True)
    outcome: collections.Counter = collections.Counter()
    failed_by: collections.Counter = collections.Counter()
    refused_by: collections.Counter = collections.Counter()
    render_s, gate_s, pck_delivered = [], [], []
    adjusted: collections.Counter = collections.Counter()
    disagreements: list[str] = []
    narrow = GateThresholds(hole_min=args.narrow_holes)
    narrow_holes: list[str] = []
    accepted = refused_photos = 0
    for path in _photos(args.photos.split(","), args.only):
        data = path.read_bytes()
        if not avatar_check(image=data).ok:
            refused_photos += 1
            continue
        accepted += 1
        avatar = rig_avatar(image=data)
        traits = {"usable": True, **avatar_traits(avatar)}
        row = []
        for view, structure in zip(views, structures, strict=True):
            kp = view.keypoints.copy()
            kp[:, 0] /= W
            kp[:, 1] /= H
            listed = {"pose_structure": structure, "keypoints": kp, "width": W, "height": H}
            verdict = judge_pose(traits=traits, target=listed)
            aimed, held = aimed_target(avatar=avatar, keypoints=kp, pose_structure=structure, width=W, height=H,
                                       traits=traits, judged=listed)
            kept = held.get("heldArm", {}).get("code", "")
            if verdict.supported and kept != verdict.code:
                disagreements.append(f"{path.stem} pose {len(row)}: verdict {verdict.code!r}, rendered {kept!r}")
            t0 = time.perf_counter()
            rendered, _ = repose(avatar=avatar, target=aimed, width=W, height=H, depth=view.depth)
            t1 = time.perf_counter()
            result = quality_checks(rgb=rendered.rgb, alpha=rendered.alpha, reference=rendered.keypoints,
                                    masks=rendered.masks, source_areas=rendered.source_areas)
            t2 = time.perf_counter()
            render_s.append(t1 - t0)
            gate_s.append(t2 - t1)
            passed = result["passed"]
            if verdict.supported:
                outcome["delivered" if passed else "failed"] += 1
                if kept:
                    adjusted["delivered" if passed else "failed"] += 1
                if passed:
                    pck_delivered.append(result["checks"]["pose"]["pck"])
                    holes = hole_check(rendered.alpha, rendered.keypoints, narrow)
                    if not holes["ok"]:
                        narrow_holes.append(f"{path.stem} pose {len(row)} ({holes['widest']})")
                else:
                    failed_by[result["failed"]] += 1
                    failing = {k: v for k, v in result["checks"].items() if not v["ok"]}
                    print(f"  {path.name} pose {len(row)}: {failing}", flush=True)
            else:
                outcome["unsupported"] += 1
                refused_by[(verdict.code, "gate would fail" if not passed else "gate would pass")] += 1
            label = ("ok " if passed else f"x {result['failed']} ") + (("[kept] " if kept else "") if verdict.supported
                                                                       else f"[{verdict.code}]")
            row.append(_thumb(rendered.rgb, label, passed and verdict.supported))
        cv2.imwrite(str(args.sheet / f"{path.stem}.jpg"), cv2.cvtColor(np.hstack(row), cv2.COLOR_RGB2BGR))
        print(f"{path.name}: traits {traits}", flush=True)
    supported = outcome["delivered"] + outcome["failed"]
    print(f"\nphotos accepted {accepted}, refused by the avatar check {refused_photos}")
    print(f"pairs: {supported} supported, {outcome['unsupported']} refused before payment")
    if supported:
        print(f"delivered share of supported poses: {outcome['delivered'] / supported:.1%} "
              f"({outcome['delivered']}/{supported}); gate failures by check: {dict(failed_by)}")
    if pck_delivered:
        print(f"PCK of delivered images: median {np.median(pck_delivered):.2f}, "
              f"p10 {np.percentile(pck_delivered, 10):.2f}")
    print(f"of them adjusted (a holding arm kept): {sum(adjusted.values())}, delivered {adjusted['delivered']}")
    print(f"verdict vs render disagreements: {len(disagreements)} {disagreements[:10]}")
    print(f"delivered with a hole on a bone >= {args.narrow_holes} torso (the gate fails from "
          f"{GateThresholds().hole_min}): {len(narrow_holes)} {narrow_holes}")
    print(f"refused before payment: {dict(refused_by)}")
    print(f"render s/image median {np.median(render_s):.3f}; gate s/image median {np.median(gate_s):.3f}, "
          f"p90 {np.percentile(gate_s, 90):.3f}; render + gate median {np.median(np.add(render_s, gate_s)):.3f}")
    print(f"contact sheets (one row per photo; green = delivered): {args.sheet}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
