"""The held-thing finder alone (engines/offline/carried.py) against the seller photos' bag labels.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_carried_finder.py [--only 0585]

For each seller photo avatar_check() accepts: the rig (engine.rig_avatar), then at the rig's label scale
the bag/purse/wallet label (the photo's, cropped and scaled like the cut-out) and

- "relevant" hands: a bag label within 0.25 torso lengths of the wrist (as bench_offline_seller counts
  carried cases, a little wider) that regions.find_carried (the rig) did not find;
- find_held's find: IoU with the bag label; a find on a photo or hand with no such bag is a false find;
- held_traits' "held_unsure" hands (what feasibility keeps in place): true where a bag is at that hand;
- the held flag per hand the rig gives no carried thing: flagged (held_unsure) against a bag label within
  TOUCH torso lengths of the hand (the wrist plus 0.3 of the forearm, as carried.py places it): precision,
  recall and each hand flagged or holding, so a change to the flag is measured hand by hand.

An overlay sheet (red: bag label, cyan: find_held's find) goes to artifacts/offline/ (git-ignored:
research-only photos, never committed).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posegen.engines.offline import avatar_check, rig_avatar  # noqa: E402
from posegen.engines.offline.carried import _hand, find_held, held_traits  # noqa: E402
from posegen.engines.offline.parts import PARTS  # noqa: E402
from posegen.engines.offline.retarget import pelvis  # noqa: E402

SELLER = ROOT.parent / "shared" / "testdata" / "seller"
OUT = ROOT / "artifacts" / "offline"
CARRIED = (2, 33, 56)  # bag, purse, wallet in the manifest's labels
NEAR = 0.25
TOUCH = 0.12  # a bag label this close to the hand (torso lengths) is held by it


def label_scale_inputs(avatar, labels: np.ndarray):
    rig = avatar.rig
    lh, lw = rig.labels.shape
    x0, y0, x1, y1 = avatar.cutout.box
    tex = avatar.cutout.texture
    crop = cv2.resize(np.ascontiguousarray(labels[y0:y1, x0:x1]), (tex.shape[1], tex.shape[0]),
                      interpolation=cv2.INTER_NEAREST)
    small = cv2.resize(crop, (lw, lh), interpolation=cv2.INTER_NEAREST)
    rgb = cv2.resize(np.ascontiguousarray(tex[:, :, :3]), (lw, lh), interpolation=cv2.INTER_AREA)
    kp = rig.keypoints.copy()
    kp[:, :2] *= rig.label_scale
    mask = rig.labels >= 0
    return rgb, mask, kp, np.isin(small, CARRIED) & mask


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="")
    parser.add_argument("--tag", default="run")
    args = parser.parse_args()
    if not SELLER.is_dir():
        sys.exit(f"{SELLER} is absent")
    cv2.setNumThreads(1)
    OUT.mkdir(parents=True, exist_ok=True)
    ious, false_finds, tiles = [], [], []
    unsure_true = unsure_false = relevant_hands = 0
    flag_tp, flag_fp, flag_fn = [], [], []
    for path in sorted((SELLER / "images").glob("*.jpg")):
        if args.only and args.only not in path.name:
            continue
        data = path.read_bytes()
        if not avatar_check(image=data).ok:
            continue
        avatar = rig_avatar(image=data)
        rig = avatar.rig
        labels = np.asarray(Image.open(SELLER / "annotations" / f"{path.stem}__labels.png"))
        rgb, mask, kp, bag = label_scale_inputs(avatar, labels)
        torso = float(np.hypot(*(kp[1, :2] - pelvis(kp))))
        near = {}
        if bag.any():
            ys, xs = np.nonzero(bag)
            near = {side: float(np.hypot(xs - kp[w, 0], ys - kp[w, 1]).min()) / torso
                    for side, w in (("right", 4), ("left", 7))}
        rig_side = rig.carried.side if rig.carried is not None else None
        relevant = [s for s, d in near.items() if d <= NEAR and s != rig_side]
        relevant_hands += len(relevant)
        radii = {p.name: float(rig.radii[i] * rig.label_scale) for i, p in enumerate(PARTS)}
        forearms = {p.name: bool(rig.present[i]) for i, p in enumerate(PARTS)}
        # The rig's own find takes that hand: look at the other one only.
        if rig_side is not None:
            forearms[f"{rig_side[0]}_forearm"] = False
        found = find_held(rgb=rgb, mask=mask, kp=kp, radii=radii, forearms=forearms)
        iou = None
        if found is not None:
            iou = float((found.mask & bag).sum() / max((found.mask | bag).sum(), 1))
            if found.side not in relevant or iou < 0.1:
                false_finds.append(f"{path.stem}:{found.side}")
        if relevant:
            ious.append(iou if found is not None and found.side in relevant else 0.0)
        unsure = held_traits(rig=rig)["held_unsure"]
        unsure_true += sum(s in relevant for s in unsure)
        unsure_false += sum(s not in relevant for s in unsure)
        for side, (elbow, wrist) in (("right", (3, 4)), ("left", (6, 7))):
            if side == rig_side:
                continue
            hand = _hand(kp, elbow, wrist)
            ys, xs = np.nonzero(bag)
            held = bool(len(xs)) and float(np.hypot(xs - hand[0], ys - hand[1]).min()) <= TOUCH * torso
            (flag_tp if held and side in unsure else flag_fp if side in unsure else flag_fn if held else []).append(
                f"{path.stem[4:8]}:{side}")
        print(f"{path.stem:16s} rig={rig_side or '-':5s} bag at {relevant or '-'} find="
              f"{found.side if found is not None else '-'} IoU={'-' if iou is None else f'{iou:.2f}'} "
              f"unsure={sorted(unsure) or '-'}", flush=True)
        img = rgb.copy()
        if found is not None:
            img[found.mask] = (img[found.mask] * 0.4 + np.array([0, 255, 255]) * 0.6).astype(np.uint8)
        img[cv2.morphologyEx(bag.astype(np.uint8), cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0] = (255, 0, 0)
        img = cv2.resize(img, (round(img.shape[1] * 300 / img.shape[0]), 300))
        tiles.append(np.pad(img, ((0, 0), (0, max(0, 150 - img.shape[1])), (0, 0)))[:, :150])
    found_ok = sum(i >= 0.3 for i in ious)
    print(f"\nphotos with a bag at a hand the rig misses: {len(ious)}; find_held IoU >= 0.3 on {found_ok}, "
          f"mean IoU {np.mean(ious) if ious else float('nan'):.3f}; false finds {len(false_finds)} {false_finds}")
    print(f"held_unsure hands: {unsure_true} of {relevant_hands} hands with a missed bag, "
          f"{unsure_false} hands without one")
    tp, fp, fn = len(flag_tp), len(flag_fp), len(flag_fn)
    print(f"held flag per hand (bag label within {TOUCH} torso of the hand): precision {tp}/{tp + fp} = "
          f"{tp / max(tp + fp, 1):.2f}, recall {tp}/{tp + fn} = {tp / max(tp + fn, 1):.2f}")
    print(f"  flagged and holding {flag_tp}\n  flagged, no bag label {flag_fp}\n  holding, not flagged {flag_fn}")
    if tiles:
        rows = [np.hstack(tiles[i:i + 11] + [np.zeros_like(tiles[0])] * (11 - len(tiles[i:i + 11])))
                for i in range(0, len(tiles), 11)]
        sheet = OUT / f"carried_finder_{args.tag}.png"
        Image.fromarray(np.vstack(rows)).save(sheet)
        print(f"sheet {sheet}")


if __name__ == "__main__":
    main()
