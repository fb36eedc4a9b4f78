"""Reads for the Pose Generator, one module per thing read (HackSoft selectors: keyword-only functions that
return querysets, rows or small dataclasses and never write).

- ``projects``: a user's projects, and which stored photos a project still uses.
- ``generations``: one generation, its progress and results, a project's generations.
- ``generation_cards``: the generation page's card per expected image (what each card shows).
- ``library``: browsing and searching the pose library, one pose, the category tree.
- ``activity``: the dashboard's per-day series and latest generations.
- ``stats``: the user's totals (the spec's getUserStats).

Every user-owned read is scoped to the user: another user's row is a 404, never a 403.
"""
