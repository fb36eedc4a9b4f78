"""The pose selection tray: library poses a user picked while browsing, carried into the wizard.

Kept in the session (server side) so it survives reloads and works without JavaScript. Ids are kept as
strings in pick order; a pose that is later deactivated is filtered out when the wizard reads the tray.
"""

from __future__ import annotations

import uuid

TRAY_SESSION_KEY = "pose_tray"
TRAY_MAX = 50


def tray_pose_ids(*, request) -> list[str]:
    return list(request.session.get(TRAY_SESSION_KEY, []))


def _tray_store(*, request, ids: list[str]) -> None:
    request.session[TRAY_SESSION_KEY] = ids[:TRAY_MAX]


def tray_add(*, request, pose_id: uuid.UUID | str) -> list[str]:
    ids = tray_pose_ids(request=request)
    key = str(pose_id)
    if key not in ids and len(ids) < TRAY_MAX:
        ids.append(key)
        _tray_store(request=request, ids=ids)
    return ids


def tray_remove(*, request, pose_id: uuid.UUID | str) -> list[str]:
    ids = [i for i in tray_pose_ids(request=request) if i != str(pose_id)]
    _tray_store(request=request, ids=ids)
    return ids


def tray_clear(*, request) -> None:
    request.session.pop(TRAY_SESSION_KEY, None)
