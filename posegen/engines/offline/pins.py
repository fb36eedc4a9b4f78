"""The rig's mesh cut between parts that do not meet, and the pins that tie it to the bones: along
every bone, and for the one-piece regions (the garment's hips and hem, a carried thing)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from posegen.engines.offline.garment import L_LEG, R_LEG, Garment, leg_point, leg_segment_at
from posegen.engines.offline.parts import GARMENT, PART_INDEX, PARTS, TORSO
from posegen.engines.offline.regions import Carried

__all__ = ["cut_mesh", "pin_vertices", "region_pins"]

# Where two parts meet at a joint, vertices within this many limb radii of it stay shared.
JOINT_REACH = 1.6
# Upper arms whose seam with the head (hair on the shoulder) stays joined near the shoulder.
SHOULDER_SEAM = ("r_upper_arm", "l_upper_arm")
# Pins along each bone (fractions from joint_a to joint_b; > 1 reaches into a hand or foot).
PIN_STEPS = {"torso": (0.0, 0.3, 0.6, 0.9), "head": (0.5, 1.0, 1.5)}
LIMB_PIN_STEPS = (0.2, 0.5, 0.8)
DISTAL_PIN_STEPS = (1.0, 1.25)


def cut_mesh(vertices: np.ndarray, triangles: np.ndarray, tri_part: np.ndarray, bones: np.ndarray,
         radii: np.ndarray, torso_len: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Duplicate vertices between parts that do not meet there (see the module docstring)."""
    pairs = np.stack([triangles.ravel(), np.repeat(tri_part, 3)], axis=1)
    uniq, inverse = np.unique(pairs, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    parent = np.arange(len(uniq))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # Copies of the same original vertex sit next to each other in `uniq` (sorted by vertex).
    starts = np.flatnonzero(np.r_[True, uniq[1:, 0] != uniq[:-1, 0]])
    ends = np.r_[starts[1:], len(uniq)]
    for s, e in zip(starts, ends, strict=True):
        if e - s < 2:
            continue
        v = vertices[uniq[s, 0]]
        for x in range(s, e):
            for y in range(x + 1, e):
                pa, pb = PARTS[uniq[x, 1]], PARTS[uniq[y, 1]]
                child, other = (pa, pb) if pa.parent == pb.name else (pb, pa) if pb.parent == pa.name else (None, None)
                if child is None:
                    # Hair lying on a shoulder is the head's, the sleeve under it the upper arm's: cut
                    # there, moving the arm opened a hole between them (the background showed through as
                    # a crescent beside the head). Near the shoulder joint they stay one sheet.
                    arm = next((q for q in (pa, pb) if q.name in SHOULDER_SEAM), None)
                    if arm is not None and {pa.name, pb.name} == {"head", arm.name}:
                        ai = PART_INDEX[arm.name]
                        if np.hypot(*(v - bones[ai, 0])) <= JOINT_REACH * max(radii[ai], 0.07 * torso_len):
                            parent[find(x)] = find(y)
                    continue
                if child.name == "garment":  # the cloth hangs from the whole waist, never cut from it
                    parent[find(x)] = find(y)
                    continue
                ci = PART_INDEX[child.name]
                joint = bones[ci, 0]
                reach = JOINT_REACH * max(radii[ci], radii[PART_INDEX[other.name]], 0.07 * torso_len)
                if np.hypot(*(v - joint)) <= reach:
                    parent[find(x)] = find(y)
    roots = np.array([find(x) for x in range(len(uniq))])
    _, new_id = np.unique(roots, return_inverse=True)
    new_id = new_id.ravel()
    n_new = int(new_id.max()) + 1
    new_vertices = np.empty((n_new, 2))
    new_part = np.empty(n_new, dtype=np.int64)
    new_vertices[new_id] = vertices[uniq[:, 0]]
    # A shared (merged) vertex takes the part of the lowest index copy: the parent side (torso first).
    order = np.argsort(-uniq[:, 1], kind="stable")
    new_part[new_id[order]] = uniq[order, 1]
    return new_vertices, new_id[inverse].reshape(-1, 3), new_part


def region_pins(kp: np.ndarray, bones: np.ndarray, garment: Garment | None, carried: Carried | None,
                 vertices: np.ndarray, vertex_part: np.ndarray) -> list[tuple[np.ndarray, int, int]]:
    """(point, part whose vertices may hold the pin, part whose bone moves it) for the one-piece
    regions: the garment hangs from the hips, swings with its centre line, and each half of its hem
    (out to the side seam) turns with the leg beneath it, so the legs spreading opens the cloth between
    them instead of folding it; a carried thing is pinned to its forearm at its middle and far end."""
    out: list[tuple[np.ndarray, int, int]] = []
    if garment is not None:
        for hip in (8, 11):
            out.append((kp[hip, :2], GARMENT, TORSO))
        a = bones[GARMENT, 0]
        hem_r, hem_l = leg_point(kp, R_LEG, garment.hem_ratio), leg_point(kp, L_LEG, garment.hem_ratio)
        mid_hem = (hem_r + hem_l) / 2.0
        down = (mid_hem - a) / max(float(np.hypot(*(mid_hem - a))), 1e-9)
        across = hem_l - hem_r
        across /= max(float(np.hypot(*across)), 1e-9)
        own = np.flatnonzero(vertex_part == GARMENT)
        u = (vertices[own] - mid_hem) @ down
        v = (vertices[own] - mid_hem) @ across
        reach = float(np.hypot(*(mid_hem - a)))
        bottom = own[u > -0.08 * reach]
        vb = v[u > -0.08 * reach]
        half_gap = float(np.hypot(*(hem_l - hem_r))) / 2.0
        for leg, side, sign in ((R_LEG, "r", -1.0), (L_LEG, "l", 1.0)):
            mover = PART_INDEX[f"{side}_{leg_segment_at(kp, leg, garment.hem_ratio)}"]
            out.append((leg_point(kp, leg, garment.hem_ratio), GARMENT, mover))
            mine = bottom[sign * vb > 0.5 * half_gap]
            if len(mine):
                lateral = sign * ((vertices[mine] - mid_hem) @ across)
                for q in (0.5, 0.85):
                    out.append((vertices[mine[np.argsort(lateral)[int(q * (len(mine) - 1))]]], GARMENT, mover))
        out.append((a + (mid_hem - a) * 0.6, GARMENT, GARMENT))
    if carried is not None:
        part = PART_INDEX[carried.forearm]
        ys, xs = np.nonzero(carried.mask)
        pts = np.stack([xs, ys], axis=1).astype(np.float64)
        wrist = kp[4 if carried.side == "right" else 7, :2]
        out.append((pts.mean(axis=0), part, part))
        out.append((pts[np.argmax(np.hypot(*(pts - wrist).T))], part, part))
    return out


def pin_vertices(vertices: np.ndarray, vertex_part: np.ndarray, triangles: np.ndarray, bones: np.ndarray,
          radii: np.ndarray, present: np.ndarray, torso_len: float,
          extra: list[tuple[np.ndarray, int, int]] = ()) -> tuple[np.ndarray, np.ndarray]:
    pins: dict[int, int] = {}
    for point, holder, mover in extra:
        own = np.flatnonzero(vertex_part == holder)
        if len(own):
            k = own[int(np.argmin(np.hypot(*(vertices[own] - point).T)))]
            pins.setdefault(int(k), mover)
    for i, part in enumerate(PARTS):
        if not present[i] or part.name == "garment":
            continue
        a, b = bones[i]
        steps = PIN_STEPS.get(part.name, LIMB_PIN_STEPS + (DISTAL_PIN_STEPS if part.extend else ()))
        own = np.flatnonzero(vertex_part == i)
        if len(own) == 0:
            continue
        reach = max(radii[i], 0.1 * torso_len) * 1.2
        for t in steps:
            p = a + t * (b - a)
            d = np.hypot(*(vertices[own] - p).T)
            k = int(np.argmin(d))
            if d[k] <= reach and own[k] not in pins:
                pins[int(own[k])] = i
    # Every connected piece needs two pins to be placed and turned; loose bits (a bag strap, a
    # strand of hair cut off by the labelling) follow their part's bone.
    n = len(vertices)
    adj = sp.coo_matrix((np.ones(triangles.size), (triangles.ravel(), np.roll(triangles, 1, axis=1).ravel())),
                        shape=(n, n))
    count, comp = sp.csgraph.connected_components(adj, directed=False)
    pinned = np.zeros(count, dtype=np.int64)
    for v in pins:
        pinned[comp[v]] += 1
    for c in np.flatnonzero(pinned < 2):
        members = np.flatnonzero(comp == c)
        centre = vertices[members].mean(axis=0)
        far = members[np.argsort(-np.hypot(*(vertices[members] - centre).T))]
        for v in far[: 2 - pinned[c]] if len(far) >= 2 else far:
            pins.setdefault(int(v), int(vertex_part[v]))
    keys = np.array(sorted(pins), dtype=np.int64)
    return keys, np.array([pins[k] for k in keys], dtype=np.int64)
