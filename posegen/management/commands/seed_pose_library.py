"""Load the Lumiku studio catalogue (categories and 500+ poses with their pictures) into the library.

    python manage.py seed_pose_library              # create or update everything
    python manage.py seed_pose_library --if-empty   # only when the library has no pose yet (make run)
    python manage.py seed_pose_library --limit 30   # the first 30 catalogue poses (tests, demos)

Idempotent: poses are matched by their catalogue key, so running it again updates names, tags and
categories, renders pictures only where the pose changed or a file is missing, and never adds a
duplicate. Rendering uses a process pool (--workers, default 2).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from posegen.services.library_seed import library_seed


class Command(BaseCommand):
    help = "Create or update the pose library from the Lumiku studio catalogue (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing when the library already has at least one pose.")
        parser.add_argument("--limit", type=int, default=None, help="Seed only the first N catalogue poses.")
        parser.add_argument("--spread", action="store_true",
                            help="With --limit: take the N poses evenly across the catalogue, not the first N.")
        parser.add_argument("--workers", type=int, default=2, help="Rendering processes (default 2).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options) -> None:
        limit = options["limit"]
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1")
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        bar = None
        show = not options["no_progress"] and options["verbosity"] > 0

        def on_total(total: int) -> None:
            nonlocal bar
            if show:
                from tqdm import tqdm

                bar = tqdm(total=total, unit="pose", desc="Seeding pose library", file=self.stderr._out)

        def progress(n: int) -> None:
            if bar is not None:
                bar.update(n)

        started = time.perf_counter()
        try:
            report = library_seed(limit=limit, spread=options["spread"], if_empty=options["if_empty"],
                                  workers=options["workers"],
                                  progress=progress, on_total=on_total)
        finally:
            if bar is not None:
                bar.close()
        elapsed = time.perf_counter() - started
        if report.skipped:
            self.stdout.write("The pose library already has poses; nothing to do (--if-empty).")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Pose library seeded in {elapsed:.1f} s: categories {report.categories_created} created, "
            f"{report.categories_updated} updated; poses {report.poses_created} created, {report.poses_updated} "
            f"updated, {report.poses_unchanged} unchanged, {report.poses_retired} retired; "
            f"{report.images_rendered} rendered (4 pictures each); {len(report.featured)} featured."
        ))
