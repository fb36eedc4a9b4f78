"""As-rigid-as-possible 2D shape manipulation (Igarashi, Moscovich & Hughes 2005), written for re-posing.

Two sparse least-squares solves per pose, both with matrices that depend only on the rest mesh and on
*which* vertices are pinned, so each is factored once per rig and every pose costs four
back-substitutions:

1. Similarity step: every edge may rotate and scale uniformly, as its neighbourhood (the edge's two
   ends and the opposite vertices of its one or two triangles) suggests. This rotates the mesh
   between the pins but lets parts grow or shrink.
2. Scale adjustment: the transform each edge got in step 1 is normalised to a pure rotation and the
   edges are fitted to their rotated rest vectors, which removes the scaling.

Pins are soft constraints with a large weight (exact pins would need a separate elimination per pin
set; at weight 1e3 the residual is far below a pixel).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import factorized

__all__ = ["ArapSolver", "arap_prepare", "mesh_edges"]

# Pin weight relative to the unit edge weight: high enough to honour pins to well under a pixel,
# low enough to keep the normal equations well conditioned in float64.
PIN_WEIGHT = 1000.0


def mesh_edges(*, triangles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique undirected edges (E, 2) and, per edge, its opposite vertices (E, 2) (-1 when a
    boundary edge has only one triangle)."""
    tri = np.asarray(triangles, dtype=np.int64)
    directed = np.concatenate([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [2, 0]]])
    opposite = np.concatenate([tri[:, 2], tri[:, 0], tri[:, 1]])
    key = np.sort(directed, axis=1)
    uniq, inverse = np.unique(key, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    neighbours = np.full((len(uniq), 2), -1, dtype=np.int64)
    order = np.argsort(inverse, kind="stable")
    first = np.ones(len(order), dtype=bool)
    first[1:] = inverse[order][1:] != inverse[order][:-1]
    neighbours[inverse[order][first], 0] = opposite[order][first]
    second = ~first
    neighbours[inverse[order][second], 1] = opposite[order][second]
    return uniq, neighbours


@dataclass(frozen=True, eq=False)
class ArapSolver:
    """A rest mesh with a fixed set of pinned vertices, both ARAP steps factored."""

    rest: np.ndarray  # (N, 2) rest vertex positions
    edges: np.ndarray  # (E, 2)
    pins: np.ndarray  # (P,) pinned vertex indices
    _nbr: np.ndarray  # (E, 4) vertex indices i, j, l, r (r repeats l on boundary edges)
    _gpinv: np.ndarray  # (E, 2, 8) rows (c, s) of the neighbourhood's similarity fit
    _a1t: sp.csr_matrix  # step-1 system transposed (for the right-hand side)
    _solve1: object
    _solve2: object
    _incidence_t: sp.csr_matrix

    def solve(self, *, targets: np.ndarray) -> np.ndarray:
        """Deformed vertex positions (N, 2) with ``pins`` pulled to ``targets`` (P, 2)."""
        n = len(self.rest)
        targets = np.asarray(targets, dtype=np.float64)
        # Step 1: the right-hand side is zero for edge rows and w * target for pin rows.
        rhs = np.zeros(2 * n)
        rhs[2 * self.pins] = PIN_WEIGHT**2 * targets[:, 0]
        rhs[2 * self.pins + 1] = PIN_WEIGHT**2 * targets[:, 1]
        first = np.asarray(self._solve1(rhs)).reshape(n, 2)
        # Step 2: each edge's similarity (c, s) from step 1, normalised to a rotation.
        stacked = first[self._nbr].reshape(len(self.edges), 8)  # x_i, y_i, x_j, y_j, ...
        cs = np.einsum("ekm,em->ek", self._gpinv, stacked)
        norm = np.hypot(cs[:, 0], cs[:, 1])
        norm[norm < 1e-12] = 1.0
        c, s = cs[:, 0] / norm, cs[:, 1] / norm
        e = self.rest[self.edges[:, 1]] - self.rest[self.edges[:, 0]]
        rotated = np.stack([c * e[:, 0] + s * e[:, 1], -s * e[:, 0] + c * e[:, 1]], axis=1)
        out = np.empty((n, 2))
        for axis in range(2):
            b = self._incidence_t @ rotated[:, axis]
            b[self.pins] += PIN_WEIGHT**2 * targets[:, axis]
            out[:, axis] = self._solve2(b)
        return out


def arap_prepare(*, vertices: np.ndarray, triangles: np.ndarray, pins: np.ndarray) -> ArapSolver:
    """Build and factor both ARAP systems for a rest mesh and the indices of its pinned vertices.

    Every connected piece of the mesh needs at least one pin (two for its rotation to be set)."""
    rest = np.asarray(vertices, dtype=np.float64)
    pins = np.asarray(pins, dtype=np.int64)
    if len(np.unique(pins)) != len(pins):
        raise ValueError("pins must be distinct vertices")
    n = len(rest)
    edges, neighbours = mesh_edges(triangles=triangles)
    m = len(edges)
    nbr = np.empty((m, 4), dtype=np.int64)
    nbr[:, :2] = edges
    nbr[:, 2] = neighbours[:, 0]
    nbr[:, 3] = np.where(neighbours[:, 1] >= 0, neighbours[:, 1], neighbours[:, 0])
    boundary = neighbours[:, 1] < 0

    # G_k: for each neighbourhood vertex v, rows [vx, vy, 1, 0] and [vy, -vx, 0, 1]; the least-squares
    # similarity (c, s, tx, ty) mapping the rest neighbourhood onto the deformed one is pinv(G) v'.
    pts = rest[nbr]  # (E, 4, 2)
    g = np.zeros((m, 8, 4))
    g[:, 0::2, 0] = pts[:, :, 0]
    g[:, 0::2, 1] = pts[:, :, 1]
    g[:, 0::2, 2] = 1.0
    g[:, 1::2, 0] = pts[:, :, 1]
    g[:, 1::2, 1] = -pts[:, :, 0]
    g[:, 1::2, 3] = 1.0
    # A boundary edge has three distinct vertices; its fourth row pair repeats l, which weights l
    # twice but keeps every edge's block the same shape.
    gtg = np.einsum("ekp,ekq->epq", g, g)
    gtg += np.eye(4) * 1e-9
    gpinv = np.linalg.solve(gtg, np.transpose(g, (0, 2, 1)))[:, :2, :]  # (E, 2, 8)
    if boundary.any():
        # Fold the duplicated l column pair back onto l so the block acts on i, j, l only.
        gpinv = gpinv.copy()
        gpinv[boundary, :, 4:6] += gpinv[boundary, :, 6:8]
        gpinv[boundary, :, 6:8] = 0.0

    # Step-1 rows: (v'_j - v'_i) - T_k e_k, with T_k e_k = [[c, s], [-s, c]] e_k = E_k (c, s).
    e = rest[edges[:, 1]] - rest[edges[:, 0]]
    ek = np.zeros((m, 2, 2))
    ek[:, 0, 0], ek[:, 0, 1] = e[:, 0], e[:, 1]
    ek[:, 1, 0], ek[:, 1, 1] = e[:, 1], -e[:, 0]
    h = -np.einsum("eab,ebk->eak", ek, gpinv)  # (E, 2, 8)
    h[:, 0, 0] -= 1.0
    h[:, 1, 1] -= 1.0
    h[:, 0, 2] += 1.0
    h[:, 1, 3] += 1.0
    cols = np.empty((m, 8), dtype=np.int64)
    cols[:, 0::2] = 2 * nbr
    cols[:, 1::2] = 2 * nbr + 1
    rows = np.repeat(np.arange(2 * m).reshape(m, 2, 1), 8, axis=2)
    a1 = sp.csr_matrix((h.ravel(), (rows.ravel(), np.broadcast_to(cols[:, None, :], (m, 2, 8)).ravel())),
                       shape=(2 * m, 2 * n))
    pin_diag = np.zeros(2 * n)
    pin_diag[2 * pins] = PIN_WEIGHT**2
    pin_diag[2 * pins + 1] = PIN_WEIGHT**2
    system1 = (a1.T @ a1 + sp.diags(pin_diag)).tocsc()

    incidence = sp.csr_matrix(
        (np.concatenate([-np.ones(m), np.ones(m)]),
         (np.concatenate([np.arange(m), np.arange(m)]), np.concatenate([edges[:, 0], edges[:, 1]]))),
        shape=(m, n),
    )
    pin_diag2 = np.zeros(n)
    pin_diag2[pins] = PIN_WEIGHT**2
    system2 = (incidence.T @ incidence + sp.diags(pin_diag2)).tocsc()
    return ArapSolver(
        rest=rest, edges=edges, pins=pins, _nbr=nbr, _gpinv=gpinv, _a1t=a1.T.tocsr(),
        _solve1=factorized(system1), _solve2=factorized(system2), _incidence_t=incidence.T.tocsr(),
    )
