"""The output's region masks count where the top part itself is opaque (b075a45): a bag's soft rim that
the second layer (layers.composite_under) composites over the body drawn under it shows the body, so
it is not bag. Counted as bag, 0532's clutch read 1.7-2.3x its photo area and the gate refunded it.
A hand-built two-part rig (no photo, no ARAP): a torso square, a forearm holding a bag drawn over it."""

from __future__ import annotations

import numpy as np

from posegen.engines.offline.arap import arap_prepare
from posegen.engines.offline.parts import PART_INDEX, PARTS, TORSO
from posegen.engines.offline.regions import REGION_CARRIED
from posegen.engines.offline.render import Look, Posed, render_posed
from posegen.engines.offline.rig import Rig

FORE = PART_INDEX["r_forearm"]
TW = 100  # the torso square spans the whole 100 x 100 texture
BAG = (30, 70)  # the bag's square (inclusive texture pixels), well inside the torso
# The bag's matte from its outermost pixel ring inwards (the photo's background blended into its edge),
# then opaque; no value near the 127.5 cut, so which ring counts is unambiguous.
RAMP = (0, 24, 48, 72, 96, 120, 144, 168, 192, 216, 240)
SOFT_RINGS = sum(a < 128 for a in RAMP)  # 6


def _square(x0: float, y0: float, x1: float, y1: float) -> tuple[np.ndarray, np.ndarray]:
    return np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], float), np.array([[0, 1, 2], [0, 2, 3]])


def _rig() -> Rig:
    lo, hi = BAG
    texture = np.zeros((TW, 2 * TW, 4), np.uint8)  # premultiplied: the photo, then the painted torso
    texture[:, TW:] = (200, 40, 40, 255)  # the torso (sampled from the painted copy): red, opaque
    ys, xs = np.mgrid[lo:hi + 1, lo:hi + 1]
    ring = np.minimum.reduce([xs - lo, hi - xs, ys - lo, hi - ys])
    alpha = np.array((*RAMP, 255))[np.minimum(ring, len(RAMP))]
    texture[lo:hi + 1, lo:hi + 1, :3] = np.round(np.multiply.outer(alpha / 255.0, (60, 110, 170)))
    texture[lo:hi + 1, lo:hi + 1, 3] = alpha
    torso_v, torso_t = _square(0, 0, TW, TW)
    bag_v, bag_t = _square(lo, lo, hi, hi)
    vertices = np.vstack([torso_v, bag_v])
    triangles = np.vstack([torso_t, bag_t + 4])
    triangle_part = np.array([TORSO, TORSO, FORE, FORE])
    src = vertices[triangles].copy()
    src[:2, :, 0] += TW  # the torso reads the painted copy, as build_rig has it
    labels = np.full((TW, TW), TORSO, np.int8)
    labels[lo:hi + 1, lo:hi + 1] = FORE
    # The bag's label covers its whole outline, soft rim included (as regions.find_carried's mask does);
    # its photo area is its opaque pixels only (build_rig: alpha over one half).
    regions = np.zeros((TW, TW), np.uint8)
    regions[lo:hi + 1, lo:hi + 1] = REGION_CARRIED
    opaque_bag = int((alpha > 127).sum())
    pins = np.arange(len(vertices))
    return Rig(texture=texture, tex_width=TW, keypoints=np.zeros((18, 3)), vertices=vertices, triangles=triangles,
               vertex_part=np.array([TORSO] * 4 + [FORE] * 4), triangle_part=triangle_part, triangle_src=src,
               labels=labels, label_scale=1.0, radii=np.zeros(len(PARTS)), pins=pins,
               pin_part=np.array([TORSO] * 4 + [FORE] * 4), present=np.isin(np.arange(len(PARTS)), (TORSO, FORE)),
               solver=arap_prepare(vertices=vertices, triangles=triangles, pins=pins), regions=regions,
               region_areas={"person": TW * TW, "garment": 0, "carried": opaque_bag, "face": 0},
               garment=None, carried=None)


def test_a_bags_soft_rim_over_the_body_is_not_counted_as_bag():
    rig = _rig()
    posed = Posed(vertices=rig.vertices.copy(), keypoints=rig.keypoints, order=(TORSO, FORE), mirrored=False)
    # Framed at one output pixel per texture pixel: the 100 px person fills half of a 200 px canvas.
    rendered = render_posed(rig=rig, posed=posed, width=200, height=200, look=Look(height_share=0.5))
    lo, hi = BAG
    side = hi - lo + 1  # 41
    core = side - 2 * SOFT_RINGS  # 29: the bag's own opaque pixels
    assert rendered.source_areas["carried"] == core * core
    # The torso lands at canvas (50, 55): find the bag's square there.
    ox, oy = 50, 55
    box = (slice(oy + lo, oy + hi + 1), slice(ox + lo, ox + hi + 1))
    a, b = lo + SOFT_RINGS, hi + 1 - SOFT_RINGS
    inner = (slice(oy + a, oy + b), slice(ox + a, ox + b))
    # The scene really has the second layer: the whole rim, bag over body, is drawn opaque (the torso shows
    # through it), so the person's own alpha cannot tell the rim from the bag.
    assert (rendered.alpha[box] == 255).all()
    red, _, blue = rendered.rgb[oy + lo, ox + 50].astype(int)  # the bag's outermost ring (its matte 0 there)
    assert red > 150 and blue < 80  # the red torso, not the blue bag nor the backdrop
    carried = rendered.masks["carried"]
    # Exactly the bag's opaque core is bag; counting its rim would read 41^2 = 1681 px (2.0x).
    assert abs(int(carried.sum()) - core * core) <= 4, int(carried.sum())
    assert carried[inner].all()
    rim = carried.copy()
    rim[inner] = False
    assert not rim.any()
    assert 0.98 <= carried.sum() / rendered.source_areas["carried"] <= 1.02
    assert (side * side) / rendered.source_areas["carried"] > 1.9  # what the rim would have added
