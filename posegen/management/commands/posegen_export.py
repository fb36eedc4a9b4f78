"""Export every image of a folder to the chosen formats with the same code as the app's exports.

    python manage.py posegen_export INPUT_DIR --formats all|a,b,custom:WxH --out OUT_DIR [--subject auto|center]

Paths come from the operator's command line only. Writes `{stem}_{format}.{ext}` into OUT_DIR. A format
that fails for an image does not stop the others: every other file is written, the failures are listed
on stderr and the command exits 1. `--subject auto` finds the person in each image on the export pool,
overlapping the encodes of the image before.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from posegen.imaging.export import ExportError, export_many
from posegen.imaging.export_formats import EXPORT_FORMATS, UnknownExportFormat, export_format_get, file_label

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff"}


class Command(BaseCommand):
    help = "Export a folder of images to social, e-commerce and print formats."

    def add_arguments(self, parser):
        parser.add_argument("input_dir")
        parser.add_argument("--formats", default="all", help="all, or comma-separated names / custom:WxH")
        parser.add_argument("--out", required=True, help="output folder (created if missing)")
        parser.add_argument("--subject", choices=["auto", "center"], default="auto",
                            help="auto: crop around the person found in each image; center: plain cover crop")

    def handle(self, *args, input_dir, formats, out, subject, **options):
        source = Path(input_dir)
        if not source.is_dir():
            raise CommandError(f"{source} is not a folder")
        try:
            names = list(EXPORT_FORMATS) if formats == "all" else [n.strip() for n in formats.split(",") if n.strip()]
            specs = [export_format_get(n) for n in names]
        except UnknownExportFormat as exc:
            raise CommandError(str(exc)) from None
        if not specs:
            raise CommandError("no formats given")
        files = sorted(p for p in source.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        target = Path(out)
        target.mkdir(parents=True, exist_ok=True)
        find_subject = None
        if subject == "auto":
            from posegen.services.exports import subject_box as find_subject
        started = time.perf_counter()
        written = total = 0
        failed: dict[str, dict[str, str]] = {}
        try:
            for name, rendered in export_many(sources=((p.name, p.read_bytes()) for p in files), formats=specs,
                                              find_subject=find_subject, failed=failed):
                stem = Path(name).stem
                for fmt, image in rendered.items():
                    (target / f"{stem}_{file_label(fmt)}.{image.extension}").write_bytes(image.data)
                    written += 1
                    total += len(image.data)
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{len(files)} image(s), {written} file(s), {total / 1e6:.1f} MB in {elapsed:.2f} s "
                          f"-> {target}")
        if failed:
            for name, formats_failed in failed.items():
                for fmt, message in formats_failed.items():
                    self.stderr.write(f"{name}: {fmt} failed: {message}")
            count = sum(len(f) for f in failed.values())
            raise CommandError(f"{count} file(s) failed; every other file was written")
