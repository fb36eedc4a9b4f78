"""A tiny depth-buffered rasteriser of shaded 3D primitives (tapered capsules and ellipsoids).

Primitives are given in screen space: x right and y down in pixels, z the distance from the
camera in the same pixel units. Each primitive is ray-cast only inside its own bounding box and
keeps, per pixel, its depth, id and surface normal where it is nearest; lighting runs once at the
end over the covered pixels. So a whole figure costs a few dozen small NumPy passes, and the depth
buffer, not drawing order, decides what is in front: crossed arms and legs and limbs entering the
torso come out right whatever the pose.
"""

from __future__ import annotations

import cv2
import numpy as np

# Towards the key light: above, to the left and in front of the figure (screen axes, y down).
_LIGHT = np.array([-0.45, -0.75, -0.85], dtype=np.float32)
_LIGHT /= np.linalg.norm(_LIGHT)
_HALF_VECTOR = _LIGHT + np.array([0.0, 0.0, -1.0], dtype=np.float32)
_HALF_VECTOR /= np.linalg.norm(_HALF_VECTOR)


class DepthCanvas:
    """Depth, primitive-id and normal buffers of a ``width`` x ``height`` window whose top-left
    pixel is ``origin`` in screen space; shaded once at the end (deferred), so each pixel pays for
    lighting once however many primitives overlap it."""

    def __init__(self, *, width: int, height: int, origin: tuple[int, int] = (0, 0)) -> None:
        self.width, self.height = width, height
        self.origin = origin
        self.depth = np.full((height, width), np.inf, dtype=np.float32)
        self.ids = np.full((height, width), -1, dtype=np.int16)
        # Normals face the camera, so their x and y determine z.
        self.normal_x = np.zeros((height, width), dtype=np.float32)
        self.normal_y = np.zeros((height, width), dtype=np.float32)
        self._colors: list[np.ndarray] = []

    def capsule(
        self,
        *,
        a: np.ndarray,
        b: np.ndarray,
        radius_a: float,
        radius_b: float,
        color: np.ndarray,
    ) -> None:
        """A cone-capped capsule from point ``a`` to ``b`` (x, y, z) with radii at each end."""
        box = self._box(np.minimum(a[:2] - radius_a, b[:2] - radius_b), np.maximum(a[:2] + radius_a, b[:2] + radius_b))
        if box is None:
            return
        window, xs, ys = box
        ax, ay, az = (np.float32(v) for v in a)
        vx, vy, vz = (np.float32(v) for v in (b - a))
        length2 = float(vx * vx + vy * vy)
        dx = xs[None, :] - ax
        dy = ys[:, None] - ay
        if length2 > 1e-6:
            t = (dx * (vx / length2) + dy * (vy / length2)).clip(0.0, 1.0)
            ox = dx - t * vx
            oy = dy - t * vy
            radius = t * np.float32(radius_b - radius_a) + np.float32(radius_a)
            depth = t * vz + az
        else:
            ox, oy = np.broadcast_to(dx, (ys.size, xs.size)), np.broadcast_to(dy, (ys.size, xs.size))
            radius, depth = np.float32(radius_a), az
        inverse_radius = 1.0 / radius
        nx = ox * inverse_radius
        ny = oy * inverse_radius
        rest = 1.0 - nx * nx - ny * ny
        inside = rest > 0.0
        z = depth - np.sqrt(np.maximum(rest, 0.0)) * radius
        self._store(window, inside, z, nx, ny, color)

    def ellipsoid(self, *, centre: np.ndarray, axes: np.ndarray, color: np.ndarray) -> None:
        """An ellipsoid whose semi-axes are the columns of ``axes`` (3, 3), in screen space."""
        reach = np.sqrt((axes[:2] ** 2).sum(axis=1))
        box = self._box(centre[:2] - reach, centre[:2] + reach)
        if box is None:
            return
        window, xs, ys = box
        inverse = np.linalg.inv(axes)
        # Unit-sphere coordinates along each pixel's ray are q0 + z * w (z measured from the centre);
        # the nearer root of |q0 + z w| = 1 is the visible surface.
        w = inverse[:, 2]
        ww = float(w @ w)
        dx = xs - np.float32(centre[0])
        dy = ys - np.float32(centre[1])
        q0 = [dx[None, :] * np.float32(inverse[k, 0]) + dy[:, None] * np.float32(inverse[k, 1]) for k in range(3)]
        half_b = (q0[0] * np.float32(w[0] / ww) + q0[1] * np.float32(w[1] / ww)) + q0[2] * np.float32(w[2] / ww)
        disc = half_b * half_b - (q0[0] * q0[0] + q0[1] * q0[1] + q0[2] * q0[2] - 1.0) * np.float32(1.0 / ww)
        inside = disc > 0.0
        zc = -half_b - np.sqrt(np.maximum(disc, 0.0))
        # Normal = inverse^T q, with q the hit point on the unit sphere.
        q = [q0[k] + zc * np.float32(w[k]) for k in range(3)]
        n = [q[0] * np.float32(inverse[0, k]) + q[1] * np.float32(inverse[1, k]) + q[2] * np.float32(inverse[2, k])
             for k in range(3)]
        norm = 1.0 / np.sqrt(np.maximum(n[0] * n[0] + n[1] * n[1] + n[2] * n[2], 1e-20))
        self._store(window, inside, zc + np.float32(centre[2]), n[0] * norm, n[1] * norm, color)

    def _box(self, low: np.ndarray, high: np.ndarray) -> tuple[tuple[slice, slice], np.ndarray, np.ndarray] | None:
        ox, oy = self.origin
        x0, y0 = max(int(np.floor(low[0])) - ox, 0), max(int(np.floor(low[1])) - oy, 0)
        x1 = min(int(np.ceil(high[0])) + 1 - ox, self.width)
        y1 = min(int(np.ceil(high[1])) + 1 - oy, self.height)
        if x1 <= x0 or y1 <= y0:
            return None
        # Pixel centres, in screen space.
        xs = np.arange(x0 + ox, x1 + ox, dtype=np.float32) + np.float32(0.5)
        ys = np.arange(y0 + oy, y1 + oy, dtype=np.float32) + np.float32(0.5)
        return (slice(y0, y1), slice(x0, x1)), xs, ys

    def _store(
        self,
        window: tuple[slice, slice],
        inside: np.ndarray,
        z: np.ndarray,
        nx: np.ndarray,
        ny: np.ndarray,
        color: np.ndarray,
    ) -> None:
        depth = self.depth[window]
        closer = inside & (z < depth)
        np.copyto(depth, z, where=closer)
        np.copyto(self.ids[window], len(self._colors), where=closer)
        np.copyto(self.normal_x[window], nx, where=closer)
        np.copyto(self.normal_y[window], ny, where=closer)
        self._colors.append(np.asarray(color, dtype=np.float32))

    def shade(self, *, depth_darkening: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """Lit (height, width, 3) uint8 RGB of the window and the uint8 mask (1 = covered).

        With ``depth_darkening`` the farthest covered pixel is that much darker than the nearest.
        Uncovered pixels hold undefined colours; composite through the mask."""
        covered = self.ids >= 0
        rgb = np.empty((self.height * self.width, 3), dtype=np.uint8)
        flat = np.flatnonzero(covered)
        if flat.size == 0:
            return rgb.reshape(self.height, self.width, 3), covered.view(np.uint8)
        # Only covered pixels are lit: usually well under half the window.
        nx, ny = self.normal_x.ravel()[flat], self.normal_y.ravel()[flat]
        facing = np.sqrt(np.maximum(1.0 - nx * nx - ny * ny, 0.0))  # = -normal z
        diffuse = np.maximum(nx * _LIGHT[0] + ny * _LIGHT[1] - facing * _LIGHT[2], 0.0)
        # A tight sheen where the normal meets the half vector: a smoothstep over its last few
        # degrees (a high power of the cosine would underflow to slow denormals).
        sheen = np.clip((nx * _HALF_VECTOR[0] + ny * _HALF_VECTOR[1] - facing * _HALF_VECTOR[2] - 0.9) * 10.0, 0.0, 1.0)
        highlight = sheen * sheen * (3.0 - 2.0 * sheen) * np.float32(55.0)
        # Ambient + key light, with the silhouette rim darkened a little so overlapping parts
        # separate even where they share a tone.
        rim = 1.0 - facing
        light = 0.5 + 0.62 * diffuse - 0.14 * rim * rim
        if depth_darkening:
            depth = self.depth.ravel()[flat]
            near, far = float(depth.min()), float(depth.max())
            light *= 1.0 - np.float32(depth_darkening / max(far - near, 1e-6)) * (depth - np.float32(near))
        palette = np.stack(self._colors)
        ids = self.ids.ravel()[flat]
        # Channel by channel: NumPy arithmetic over a trailing axis of 3 is slow.
        lit = np.empty((flat.size, 3), dtype=np.float32)
        for k in range(3):
            lit[:, k] = np.take(palette[:, k], ids) * light + highlight
        rgb[flat] = cv2.convertScaleAbs(lit)
        return rgb.reshape(self.height, self.width, 3), covered.view(np.uint8)
