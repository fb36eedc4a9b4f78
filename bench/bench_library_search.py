"""Seller search (issue 15) without the page cache: each of the 78 test queries (Bahasa Indonesia and
English, typos included) read, counted and its first page fetched, on the database configured.

    .venv/bin/python bench/bench_library_search.py                      # embedded SQLite, 822 poses
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lumiku_searchbench \\
        .venv/bin/python bench/bench_library_search.py --copies 10      # PostgreSQL, 8,220 poses

It creates (PostgreSQL: recreates) its own database, migrates, inserts the catalogue ``--copies`` times
(names, descriptions, tags, categories, seller ranks; no pictures), then times per query: the query
plan (``search_plan``), the count and the first page (20 rows, default order), ``--rounds`` times, and
prints p50/p90/max per step and the slowest queries. The hit rate itself is the test's
(tests/posegen/test_library_search_queries.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(database_url: str | None) -> None:
    if database_url:
        from urllib.parse import urlparse

        import psycopg

        url = urlparse(database_url)
        name = url.path.lstrip("/")
        with psycopg.connect(database_url.replace(f"/{name}", "/postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/search.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lumiku.settings.base")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _load(copies: int) -> int:
    from posegen.models import PoseLibrary
    from posegen.posekit.catalog import build_catalog
    from posegen.posekit.catalog.categories import category_seller_rank
    from posegen.services.library_seed import library_categories_seed

    categories = library_categories_seed()
    poses = build_catalog().poses
    for copy in range(copies):
        suffix = f" #{copy}" if copy else ""
        PoseLibrary.objects.bulk_create([PoseLibrary(
            name=p.name + suffix, description=p.description, category=categories[p.category], tags=list(p.tags),
            difficulty=p.difficulty, gender_suitability=p.gender_suitability,
            catalog_key=p.key + suffix, seller_rank=category_seller_rank(p.category)) for p in poses],
            batch_size=2000)
    return PoseLibrary.objects.count()


def _percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    return f"p50 {statistics.median(ordered):6.2f} ms · p90 {p90:6.2f} ms · max {ordered[-1]:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    _setup(os.environ.get("DATABASE_URL"))
    from django.db import connection

    from posegen.posekit.search_terms import search_plan
    from posegen.selectors.library import LIST_COLUMNS, library_filtered
    from tests.posegen.test_library_search_queries import ENGLISH, INDONESIAN

    total = _load(args.copies)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE posegen_poselibrary")
    queries = [q for q, _ in INDONESIAN + ENGLISH]
    plans, counts, pages, per_query = [], [], [], {}
    for _ in range(args.rounds):
        for query in queries:
            started = time.perf_counter()
            search_plan(text=query)
            planned = time.perf_counter()
            qs = library_filtered(search=query)
            qs.count()
            counted = time.perf_counter()
            list(qs.values(*LIST_COLUMNS)[:20])
            done = time.perf_counter()
            plans.append((planned - started) * 1000)
            counts.append((counted - planned) * 1000)
            pages.append((done - counted) * 1000)
            per_query[query] = max(per_query.get(query, 0.0), (done - started) * 1000)
    print(f"{connection.vendor}, {total} poses, {len(queries)} queries × {args.rounds} rounds, load {os.getloadavg()}")
    print(f"  plan        {_percentiles(plans)}")
    print(f"  count       {_percentiles(counts)}")
    print(f"  first page  {_percentiles(pages)}")
    slowest = sorted(per_query.items(), key=lambda item: -item[1])[:5]
    print("  slowest: " + "; ".join(f"{q!r} {ms:.1f} ms" for q, ms in slowest))


if __name__ == "__main__":
    main()
