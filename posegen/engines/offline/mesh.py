"""The avatar's mesh: one triangulation of the silhouette whose triangle edges also follow the
borders between body parts (so limbs are cut along smooth lines), and the silhouette's main body."""

from __future__ import annotations

import cv2
import numpy as np
from scipy.spatial import Delaunay, cKDTree

__all__ = ["main_body", "triangulate"]


def _contour_points(mask: np.ndarray, spacing: float) -> np.ndarray:
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    out = []
    for contour in contours:
        c = contour[:, 0, :].astype(np.float64)
        if len(c) < 8:
            continue
        seg = np.hypot(*np.diff(np.vstack([c, c[:1]]), axis=0).T)
        arc = np.concatenate([[0.0], np.cumsum(seg)])
        n = max(4, int(arc[-1] / spacing))
        at = np.linspace(0.0, arc[-1], n, endpoint=False)
        closed = np.vstack([c, c[:1]])
        out.append(np.stack([np.interp(at, arc, closed[:, 0]), np.interp(at, arc, closed[:, 1])], axis=1))
    return np.vstack(out) if out else np.zeros((0, 2))


def _part_boundaries(labels: np.ndarray, mask: np.ndarray, spacing: float) -> np.ndarray:
    """Points along the borders between parts, inside the silhouette: with them in the mesh, triangle
    edges follow where one part ends and the next begins, so a limb is cut along a smooth line
    instead of a staircase of whole triangles."""
    dist_in = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 5)
    out = []
    for i in np.unique(labels[labels >= 0]):
        region = labels == i
        # Smoothed a little: label borders follow the label pixels' grid.
        region = cv2.GaussianBlur(region.astype(np.float32), (5, 5), 0) > 0.5
        pts = _contour_points(region, spacing * 0.8)
        if len(pts):
            pi = np.clip(pts.round().astype(int), 0, [mask.shape[1] - 1, mask.shape[0] - 1])
            out.append(pts[dist_in[pi[:, 1], pi[:, 0]] > spacing * 0.6])
    return np.vstack(out) if out else np.zeros((0, 2))


def triangulate(mask: np.ndarray, spacing: float, labels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    h, w = mask.shape
    boundary = _contour_points(mask, spacing * 0.8)
    seams = _part_boundaries(labels, mask, spacing) if labels is not None else np.zeros((0, 2))
    dist_in = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 5)
    gy, gx = np.mgrid[spacing / 2:h:spacing, spacing / 2:w:spacing]
    # Stagger alternate rows: near-equilateral triangles bend more evenly than right-angled ones.
    gx = gx + (np.arange(gx.shape[0])[:, None] % 2) * spacing / 2
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    gi = np.clip(grid.round().astype(int), 0, [w - 1, h - 1])
    grid = grid[dist_in[gi[:, 1], gi[:, 0]] > spacing * 0.45]
    if len(seams):
        # Grid points too close to a seam point would make slivers: the seam point replaces them.
        near, _ = cKDTree(seams).query(grid, distance_upper_bound=spacing * 0.45)
        grid = grid[~np.isfinite(near)]
        # Two parts' contours trace the same border twice: of points closer than half a spacing,
        # the first is kept.
        drop = np.zeros(len(seams), dtype=bool)
        for k, j in sorted(cKDTree(seams).query_pairs(spacing * 0.5)):
            if not drop[k] and not drop[j]:
                drop[j] = True
        seams = seams[~drop]
    points = np.vstack([boundary, seams, grid])
    tri = Delaunay(points).simplices
    # Keep a triangle only if its centre and its edges' midpoints lie on the person: Delaunay also
    # bridges the background between an arm and the body.
    probes = [points[tri].mean(axis=1)]
    for a, b in ((0, 1), (1, 2), (2, 0)):
        probes.append((points[tri[:, a]] + points[tri[:, b]]) / 2.0)
    keep = np.ones(len(tri), dtype=bool)
    for p in probes:
        pi = np.clip(p.round().astype(int), 0, [w - 1, h - 1])
        keep &= mask[pi[:, 1], pi[:, 0]]
    tri = tri[keep]
    used = np.unique(tri)
    remap = np.full(len(points), -1)
    remap[used] = np.arange(len(used))
    return points[used], remap[tri]


def main_body(mask: np.ndarray) -> np.ndarray:
    """The largest connected region, plus any other at least a tenth its size (a detached hand)."""
    count, comp, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 2:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= 0.1 * areas.max()) + 1
    return np.isin(comp, keep)
