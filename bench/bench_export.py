"""Export speed: ours (posegen.imaging.export) vs sharp (Node, bench/sharp/export.js).

The full format set (the 13 formats of spec 000 §2.3) for images of 1024×1536, same machine, same run,
runs interleaved (ours, sharp, ours, sharp, ...) so load from other processes hits both alike.

    .venv/bin/python bench/bench_export.py [--runs 3] [--images 20]                  # in-process
    .venv/bin/python bench/bench_export.py --mode process [--runs 3] [--images 24]   # whole process

`--mode process` times each side as an operator would run it, wall clock from process start to exit:
`python manage.py posegen_export IN --formats <the 13> --out OUT` (Django start-up, finding the person in
every image, reading and writing the files included) against `node export.js IN OUT` (Node start-up, centre
crops, reading and writing included). Compare the per-pair ratios: the box is shared.

Inputs are real photos (tests/fixtures and ../shared/testdata when present) cover-cropped to 1024×1536
and saved as PNG — the pipeline stores engine outputs as PNG. Both sides time from encoded bytes in
memory to every encoded output in memory (file reading and writing excluded), with centre crops (the
subject-aware window costs the same crop; finding the person is the segmentation figure in RESULTS.md).
Needs `npm install` in bench/sharp once.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageOps  # noqa: E402

from posegen.imaging.export import export_many  # noqa: E402
from posegen.imaging.export_formats import SPEC_FORMATS as EXPORT_FORMATS  # noqa: E402  (spec 000: 13 formats)

OUT = ROOT / "bench" / "out" / "export"
SHARP = ROOT / "bench" / "sharp"


def make_inputs(count: int) -> Path:
    folder = OUT / "inputs"
    if folder.exists() and len(list(folder.glob("*.png"))) == count:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    photos = sorted((ROOT / "tests" / "fixtures" / "images").glob("*.[jp][pn]g"))
    shared = ROOT.parent / "shared" / "testdata" / "images"
    if shared.is_dir():
        photos += sorted(shared.glob("*.jpg"))
    photos = [p for p in photos if Image.open(p).width >= 300]
    for i in range(count):
        with Image.open(photos[i % len(photos)]) as img:
            img = ImageOps.exif_transpose(img).convert("RGB")
            if i // len(photos) % 2:
                img = ImageOps.mirror(img)
            ImageOps.fit(img, (1024, 1536), Image.Resampling.LANCZOS).save(folder / f"img{i:02d}.png", "PNG")
    return folder


def run_ours(folder: Path) -> dict:
    sources = [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.png"))]
    specs = list(EXPORT_FORMATS.values())
    started = time.perf_counter()
    results = list(export_many(sources=sources, formats=specs))
    seconds = time.perf_counter() - started
    per_format: dict[str, int] = {}
    for _name, rendered in results:
        for fmt, image in rendered.items():
            per_format[fmt] = per_format.get(fmt, 0) + len(image.data)
    return {"seconds": seconds, "bytes": sum(per_format.values()), "perFormat": per_format,
            "files": len(sources), "_last": results}


def run_sharp(folder: Path, *, mozjpeg: bool = False) -> dict:
    cmd = ["node", str(SHARP / "export.js"), str(folder), str(OUT / ("sharp-moz" if mozjpeg else "sharp"))]
    if mozjpeg:
        cmd.append("--mozjpeg")
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=SHARP)
    return json.loads(done.stdout.strip().splitlines()[-1])


def psnr_vs_sharp(ours_results, fmt: str) -> float:
    """Agreement of our output with sharp's for one JPEG format (PSNR in dB, mean over images)."""
    import numpy as np

    values = []
    for name, rendered in ours_results:
        theirs = OUT / "sharp" / f"{Path(name).stem}_{fmt}.jpg"
        a = np.asarray(Image.open(io.BytesIO(rendered[fmt].data)).convert("RGB"), dtype=np.float64)
        b = np.asarray(Image.open(theirs).convert("RGB"), dtype=np.float64)
        mse = ((a - b) ** 2).mean()
        values.append(99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse))
    return float(statistics.mean(values))


def _timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds user+system) of one child process run to its end."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=cwd)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main_process(folder: Path, runs: int) -> None:
    """Whole processes, interleaved: ours (posegen_export, person finding included) and sharp's script."""
    ours_cmd = [sys.executable, str(ROOT / "manage.py"), "posegen_export", str(folder), "--formats",
                ",".join(EXPORT_FORMATS), "--out", str(OUT / "process-ours"), "--subject", "auto"]
    sharp_cmd = ["node", str(SHARP / "export.js"), str(folder), str(OUT / "process-sharp")]
    ours_s, sharp_s, ours_cpu, sharp_cpu = [], [], [], []
    for i in range(runs):
        pair = [("ours", ours_cmd, ROOT), ("sharp", sharp_cmd, SHARP)]
        if i % 2:  # alternate who goes first, so a load spike does not always land on the same side
            pair.reverse()
        for side, cmd, cwd in pair:
            wall, cpu = _timed(cmd, cwd)
            (ours_s if side == "ours" else sharp_s).append(wall)
            (ours_cpu if side == "ours" else sharp_cpu).append(cpu)
    ours_mb = sum(p.stat().st_size for p in (OUT / "process-ours").iterdir()) / 1e6
    sharp_mb = sum(p.stat().st_size for p in (OUT / "process-sharp").iterdir()) / 1e6
    ratios = [o / s for o, s in zip(ours_s, sharp_s, strict=True)]
    print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"whole process: {len(list(folder.glob('*.png')))} × 1024×1536 PNG, {len(EXPORT_FORMATS)} formats")
    print(f"ours  (manage.py posegen_export, person found): median {statistics.median(ours_s):.2f} s "
          f"(runs {', '.join(f'{s:.2f}' for s in ours_s)}), {ours_mb:.1f} MB written")
    print(f"sharp (node export.js, centre crops)          : median {statistics.median(sharp_s):.2f} s "
          f"(runs {', '.join(f'{s:.2f}' for s in sharp_s)}), {sharp_mb:.1f} MB written")
    print(f"ratio ours/sharp per pair: {', '.join(f'{r:.2f}' for r in ratios)}; "
          f"median {statistics.median(ratios):.2f}×")
    # CPU time barely depends on what else the box runs: the other measure of the same work.
    cpu_ours, cpu_sharp = statistics.median(ours_cpu), statistics.median(sharp_cpu)
    print(f"CPU seconds (user+system): ours median {cpu_ours:.1f}, sharp median {cpu_sharp:.1f}; "
          f"ratio {cpu_ours / cpu_sharp:.2f}×")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--images", type=int, default=None, help="20 in-process, 24 as processes")
    parser.add_argument("--mode", choices=["inprocess", "process"], default="inprocess")
    args = parser.parse_args()
    if args.mode == "process":
        main_process(make_inputs(args.images or 24), args.runs)
        return
    args.images = args.images or 20
    folder = make_inputs(args.images)
    ours_runs, sharp_runs, last = [], [], None
    for _ in range(args.runs):
        result = run_ours(folder)
        last = result.pop("_last")
        ours_runs.append(result)
        sharp_runs.append(run_sharp(folder))
    moz = run_sharp(folder, mozjpeg=True)
    ours_s = [r["seconds"] for r in ours_runs]
    sharp_s = [r["seconds"] for r in sharp_runs]
    print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"images: {args.images} × 1024×1536 PNG, formats: {len(EXPORT_FORMATS)}")
    print(f"ours  : median {statistics.median(ours_s):.2f} s  (runs {', '.join(f'{s:.2f}' for s in ours_s)})")
    print(f"sharp : median {statistics.median(sharp_s):.2f} s  (runs {', '.join(f'{s:.2f}' for s in sharp_s)})")
    print(f"ratio ours/sharp (medians): {statistics.median(ours_s) / statistics.median(sharp_s):.2f}×; "
          f"per interleaved pair: {', '.join(f'{o / s:.2f}' for o, s in zip(ours_s, sharp_s, strict=True))}")
    print(f"sharp with mozjpeg (the original's setting): {moz['seconds']:.2f} s")
    print(f"output bytes: ours {ours_runs[-1]['bytes'] / 1e6:.1f} MB, sharp {sharp_runs[-1]['bytes'] / 1e6:.1f} MB, "
          f"sharp+mozjpeg {moz['bytes'] / 1e6:.1f} MB")
    print("per format (MB over all images): format ours / sharp")
    for fmt in EXPORT_FORMATS:
        ours_mb, sharp_mb = ours_runs[-1]["perFormat"][fmt] / 1e6, sharp_runs[-1]["perFormat"][fmt] / 1e6
        print(f"  {fmt:20s} {ours_mb:7.2f} / {sharp_mb:7.2f}")
    for fmt in ("instagram_feed", "shopee_product", "facebook_post"):
        print(f"agreement with sharp, {fmt}: PSNR {psnr_vs_sharp(last, fmt):.1f} dB")


if __name__ == "__main__":
    main()
