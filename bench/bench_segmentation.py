"""Benchmark person segmentation: IoU against the annotated masks, and ms per image.

    .venv/bin/python bench/bench_segmentation.py [--testdata ../shared/testdata] [--repeats 3] [--seller]

Masks: ``annotations/<photo>__mask_<colour>_person.png``; pixels of the named colour (and not
transparent) are person. IoU = |ours & mask| / |ours | mask| with ours = alpha > 0.5.

Rows: ``segment_person`` in its default ``keep="main"`` mode and in ``keep="all"``, beside the
plain MediaPipe selfie model (general, model_selection=0, threshold 0.5) that MediaPipe's own tests
hold to IoU >= 0.88 (yoga beach) and >= 0.93 (arms-crossed portrait). The three-people mask covers
all three men, so for that photo IoU is meaningful for ``keep="all"``; for ``keep="main"`` the
table shows precision (share of our matte inside the mask) and the share of the mask we cover.

Timing: median and fastest of ``--repeats`` calls on encoded bytes (decode included), after a
warm-up that loads the models; on a shared machine the fastest run is the better estimate of cost.

``--seller``: also ``segment_person`` (``keep="main"``) on the 34 seller photos, whose clothing labels
(``seller/annotations/*__labels.png``, every label but 0 "null" is the person: skin, hair, garments, bags)
serve as a person mask: IoU, precision, recall, and the two errors a cut-out shows, scene kept more than
6 px outside the labels and person lost more than 6 px inside them (each as a share of the labelled
person; the labels are drawn by hand, so the first few pixels either side are not counted). A bag the
person carries is labelled person, so a bag cut off counts as person lost; an umbrella is not labelled.
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from posegen.imaging.segmentation import _selfie_mask, segment_person  # noqa: E402
from posegen.posekit.extract import load_rgb_image  # noqa: E402

_COLOURS = {"blue": (0, 0, 255), "red": (255, 0, 0), "green": (0, 255, 0)}


def load_mask(path: Path) -> np.ndarray:
    match = re.search(r"__mask_([a-z]+)_person\.png$", path.name)
    if not match:
        raise ValueError(f"Not a person mask: {path.name}")
    rgba = np.asarray(Image.open(path).convert("RGBA"))
    colour = np.array(_COLOURS[match.group(1)], dtype=np.uint8)
    return (rgba[:, :, 3] > 0) & np.all(rgba[:, :, :3] == colour, axis=2)


def _timed(fn, repeats: int):
    runs, out = [], None
    for _ in range(max(1, repeats)):
        t = time.perf_counter()
        out = fn()
        runs.append((time.perf_counter() - t) * 1000)
    return out, (statistics.median(runs), min(runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--testdata", type=Path, default=REPO.parent / "shared" / "testdata")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seller", action="store_true", help="also the seller photos against their labels")
    args = parser.parse_args()
    masks = sorted((args.testdata / "annotations").glob("*__mask_*_person.png"))
    if not masks:
        print(f"No masks under {args.testdata / 'annotations'}", file=sys.stderr)
        return 2

    first = (args.testdata / "images" / (masks[0].name.split("__mask_")[0] + ".jpg")).read_bytes()
    t0 = time.perf_counter()
    segment_person(image=first)
    print(f"model load + warm-up: {(time.perf_counter() - t0) * 1000:.0f} ms")

    header = f"{'photo':40} {'method':22} {'IoU':>6} {'prec':>6} {'recall':>6} {'ms med':>7} {'ms min':>7}"
    print(header)
    print("-" * len(header))
    ours_ms: list[float] = []
    for mask_path in masks:
        stem = mask_path.name.split("__mask_")[0]
        photo = next((args.testdata / "images").glob(stem + ".*"))
        data = photo.read_bytes()
        gt = load_mask(mask_path)
        rgb = load_rgb_image(image=data)
        rows = []
        selfie, ms = _timed(lambda rgb=rgb: _selfie_mask(rgb) > 0.5, args.repeats)
        rows.append(("selfie model (0)", selfie, ms))
        for keep in ("main", "all"):
            matte, ms = _timed(
                lambda keep=keep, data=data: segment_person(image=data, keep=keep), args.repeats
            )
            rows.append((f"segment_person {keep}", matte.mask(), ms))
            ours_ms.append(ms[0])
        for method, ours, ms in rows:
            inter = float((ours & gt).sum())
            iou = inter / float((ours | gt).sum())
            prec = inter / max(1.0, float(ours.sum()))
            rec = inter / max(1.0, float(gt.sum()))
            print(f"{stem:40} {method:22} {iou:6.3f} {prec:6.3f} {rec:6.3f} {ms[0]:7.0f} {ms[1]:7.0f}")
    print("-" * len(header))
    print(f"segment_person mean ms/image: {statistics.mean(ours_ms):.0f}")
    if args.seller:
        seller_table(args.testdata / "seller")
    print(f"python {platform.python_version()}, {platform.machine()}")
    return 0


def seller_table(seller: Path) -> None:
    """segment_person(keep="main") against the seller photos' labels (see the module's docstring)."""
    header = f"{'seller photo':24} {'IoU':>6} {'prec':>6} {'recall':>6} {'scene kept':>10} {'person lost':>11}"
    print("\n" + header)
    print("-" * len(header))
    rows = []
    for photo in sorted((seller / "images").glob("*.jpg")):
        person = np.asarray(Image.open(seller / "annotations" / (photo.stem + "__labels.png"))) > 0
        ours = segment_person(image=photo.read_bytes(), keep="main").mask()
        outside = cv2.distanceTransform((~person).astype(np.uint8), cv2.DIST_L2, 3) > 6
        inside = cv2.distanceTransform(person.astype(np.uint8), cv2.DIST_L2, 3) > 6
        inter, total = float((ours & person).sum()), float(person.sum())
        row = (inter / float((ours | person).sum()), inter / max(1.0, float(ours.sum())), inter / total,
               float((ours & outside).sum()) / total, float((~ours & inside).sum()) / total)
        rows.append(row)
        print(f"{photo.stem:24} {row[0]:6.3f} {row[1]:6.3f} {row[2]:6.3f} {row[3]:10.2%} {row[4]:11.2%}")
    mean = np.mean(rows, axis=0)
    print("-" * len(header))
    print(f"{'mean of ' + str(len(rows)):24} {mean[0]:6.3f} {mean[1]:6.3f} {mean[2]:6.3f} {mean[3]:10.2%} "
          f"{mean[4]:11.2%}")


if __name__ == "__main__":
    raise SystemExit(main())
