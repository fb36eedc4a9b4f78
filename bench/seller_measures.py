"""What bench_offline_seller.py measures on each image: the face's SSIM after a similarity alignment, and
the garments and carried items of the photo's label map warped with the pixels' own deformation (the
visible region and the garment's own layer). Research-only photos pass through here; nothing is written."""

from __future__ import annotations

import cv2
import numpy as np

from posegen.engines.offline.engine import warp_photo_labels
from posegen.engines.offline.retarget import pelvis

GARMENTS = {"cape", "coat", "dress", "romper", "skirt"}
CARRIED = {"bag", "purse", "wallet"}
SPECK = 0.01  # pieces under this share of the label's area are ignored


def ssim(a: np.ndarray, b: np.ndarray, where: np.ndarray | None = None) -> float:
    """Mean SSIM of two grey images (Wang et al. 2004, Gaussian window sigma 1.5), over ``where``."""
    a, b = a.astype(np.float64), b.astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(x: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(x, (11, 11), 1.5)

    ma, mb = blur(a), blur(b)
    va, vb, cov = blur(a * a) - ma * ma, blur(b * b) - mb * mb, blur(a * b) - ma * mb
    s = ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2))
    return float(s[where].mean()) if where is not None and where.any() else float(s.mean())


def similarity_fit(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """2x3 least-squares similarity (rotation, uniform scale, shift) taking ``src`` points onto ``dst``."""
    ms, md = src.mean(axis=0), dst.mean(axis=0)
    s, d = src - ms, dst - md
    a = float((s * d).sum())
    b = float((s[:, 0] * d[:, 1] - s[:, 1] * d[:, 0]).sum())
    norm = max(float((s * s).sum()), 1e-9)
    c, k = a / norm, b / norm
    m = np.array([[c, -k], [k, c]])
    return np.hstack([m, (md - m @ ms)[:, None]])


def face_ssim(avatar, rendered) -> float | None:
    """The output's face taken back to the texture's frame by the similarity its own sampling implies."""
    face = rendered.masks.get("face")
    if face is None or face.sum() < 50:
        return None
    smp = rendered.sampling
    ys, xs = np.nonzero(face)
    ly, lx = ys - smp.y0, xs - smp.x0
    ok = (ly >= 0) & (lx >= 0) & (ly < smp.map_x.shape[0]) & (lx < smp.map_x.shape[1])
    ys, xs, ly, lx = ys[ok], xs[ok], ly[ok], lx[ok]
    sx = smp.map_x[ly, lx].astype(np.float64)
    sx[sx >= smp.tex_width - 0.5] -= smp.tex_width
    sy = smp.map_y[ly, lx].astype(np.float64)
    m = similarity_fit(np.stack([xs, ys], axis=1).astype(np.float64), np.stack([sx, sy], axis=1))
    tex = avatar.cutout.texture
    back = cv2.warpAffine(rendered.rgb, m, (tex.shape[1], tex.shape[0]), flags=cv2.INTER_AREA)
    rig = avatar.rig
    fy, fx = np.nonzero(rig.regions == 3)
    if len(fx) < 10:
        return None
    x0, x1 = int(fx.min() / rig.label_scale), int((fx.max() + 1) / rig.label_scale)
    y0, y1 = int(fy.min() / rig.label_scale), int((fy.max() + 1) / rig.label_scale)
    ga = cv2.cvtColor(np.ascontiguousarray(tex[y0:y1, x0:x1, :3]), cv2.COLOR_RGB2GRAY)
    gb = cv2.cvtColor(np.ascontiguousarray(back[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
    # Only where the output shows the face: a hand the new pose puts in front of it is the pose, not
    # damage (the gate and the face-region mask judge a face that is missing).
    seen = cv2.warpAffine(face.astype(np.uint8), m, (tex.shape[1], tex.shape[0]), flags=cv2.INTER_NEAREST)[y0:y1, x0:x1]
    return ssim(ga, gb, seen > 0) if min(ga.shape) >= 11 else None


def pieces(mask: np.ndarray, total: float) -> int:
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return int((stats[1:, cv2.CC_STAT_AREA] >= SPECK * max(total, 1.0)).sum())


def output_scale(avatar, rendered, posed) -> float:
    """Output pixels per photo pixel."""
    k = (np.hypot(*(rendered.keypoints[1, :2] - pelvis(rendered.keypoints)))
         / max(np.hypot(*(posed.keypoints[1, :2] - pelvis(posed.keypoints))), 1e-9))
    _, y0, _, y1 = avatar.cutout.box
    return float(k * avatar.cutout.texture.shape[0] / (y1 - y0))


def garment_layers(avatar, rendered, posed, labels, wanted) -> dict[int, tuple[np.ndarray, float]]:
    """Each wanted label's own layer: the label map warped part by part (each part's triangles
    rasterised alone, as render_posed maps them). Per label: where any part carries it, drawn over or
    not (cracks closed as render_posed closes them; its pieces), and its area against the same layer
    in the photo's own pose: the sum of the parts' own areas both times (a sleeve folded over the
    torso hides cloth that is still there, so a union would lose it), and the body painted in under a
    limb counted both times (cloth the photo's arm covered is in the layer before the pose too)."""
    from posegen.engines.offline.render import CRACK_SHARE

    rig = avatar.rig
    # render_posed places the posed vertices by one scale and offset: fitted from its keypoints.
    src, dst = posed.keypoints[:, :2], rendered.keypoints[:, :2]
    a = np.column_stack([src.reshape(-1), np.tile([1.0, 0.0], len(src)), np.tile([0.0, 1.0], len(src))])
    (k, ox, oy), *_ = np.linalg.lstsq(a, dst.reshape(-1), rcond=None)
    x0, y0, x1, y1 = avatar.cutout.box
    crop = np.ascontiguousarray(np.asarray(labels)[y0:y1, x0:x1])
    th, tw = avatar.cutout.texture.shape[:2]
    if crop.shape != (th, tw):
        crop = cv2.resize(crop, (tw, th), interpolation=cv2.INTER_NEAREST)
    painted = (rig.texture[:, rig.tex_width:] != rig.texture[:, :rig.tex_width]).any(axis=2)
    continued = crop
    if painted.any():
        from scipy import ndimage
        _, (iy, ix) = ndimage.distance_transform_edt(painted, return_indices=True)
        continued = crop[iy, ix]
    atlas = np.hstack([crop, continued]).astype(np.float32)  # the texture's two halves, labelled
    hgt, wid = rendered.alpha.shape
    layers, areas = _part_layers(rig, posed.vertices * k + (ox, oy), (hgt, wid), posed.order, atlas, wanted)
    # The photo's pose, in texture pixels: k output pixels per texture pixel.
    _, rest = _part_layers(rig, rig.vertices, (th, tw), range(int(rig.triangle_part.max()) + 1), atlas, wanted)
    reach = max(3, round(CRACK_SHARE * hgt) | 1)
    kernel = np.ones((reach, reach), np.uint8)
    return {idx: (cv2.morphologyEx(m.astype(np.uint8), cv2.MORPH_CLOSE, kernel) > 0,
                  areas[idx] / max(rest[idx] * k * k, 1.0)) for idx, m in layers.items()}


def _part_layers(rig, verts, shape, order, atlas, wanted) -> tuple[dict[int, np.ndarray], dict[int, int]]:
    """Per wanted label: where any of the parts in ``order`` carries it on a ``shape`` canvas with the
    mesh at ``verts``, and the sum of the parts' own areas of it."""
    hgt, wid = shape
    layers = {idx: np.zeros((hgt, wid), bool) for idx in wanted}
    areas = dict.fromkeys(wanted, 0)
    shift = 4
    local = np.round(verts * (1 << shift)).astype(np.int32)
    for part in order:
        tris = np.nonzero(rig.triangle_part == part)[0]
        if not len(tris):
            continue
        ids = np.full((hgt, wid), -1, dtype=np.int32)
        for t in tris:
            cv2.fillConvexPoly(ids, local[rig.triangles[t]], int(t), lineType=cv2.LINE_8, shift=shift)
        yy, xx = np.nonzero(ids >= 0)
        if not len(yy):
            continue
        tid = ids[yy, xx]
        d = np.ones((len(tid), 3, 3))
        d[:, 0, :] = verts[rig.triangles[tid], 0]
        d[:, 1, :] = verts[rig.triangles[tid], 1]
        d[np.abs(np.linalg.det(d)) < 1e-9] += np.eye(3) * 1e-6
        m = np.einsum("tij,tjk->tik", np.transpose(rig.triangle_src[tid], (0, 2, 1)), np.linalg.inv(d))
        u = m[:, 0, 0] * xx + m[:, 0, 1] * yy + m[:, 0, 2]
        v = m[:, 1, 0] * xx + m[:, 1, 1] * yy + m[:, 1, 2]
        ui = np.clip(np.round(u).astype(int), 0, atlas.shape[1] - 1)
        vi = np.clip(np.round(v).astype(int), 0, atlas.shape[0] - 1)
        got = atlas[vi, ui]
        for idx in wanted:
            hit = got == idx
            layers[idx][yy[hit], xx[hit]] = True
            areas[idx] += int(hit.sum())
    return layers, areas


def label_checks(avatar, rendered, posed, labels, names, photo_kp) -> tuple[list[dict], list[dict]]:
    warped = warp_photo_labels(avatar=avatar, rendered=rendered, labels=labels)
    s2 = output_scale(avatar, rendered, posed) ** 2
    torso_photo = float(np.hypot(*(photo_kp[1, :2] - pelvis(photo_kp))))
    torso_out = float(np.hypot(*(rendered.keypoints[1, :2] - pelvis(rendered.keypoints))))
    garments, carried = [], []
    whole = [idx for idx, name in enumerate(names) if name in GARMENTS and (labels == idx).sum() > 3000
             and pieces(labels == idx, float((labels == idx).sum())) == 1]
    layers = garment_layers(avatar, rendered, posed, labels, whole) if whole else {}
    for idx, name in enumerate(names):
        src = labels == idx
        area = float(src.sum())
        if idx in layers:
            out = warped == idx
            ratio = float(out.sum()) / (area * s2)
            n = pieces(out, area * s2)
            # The layer: the same garment counting cloth a part is drawn over (crossed arms).
            lay_ratio = float(layers[idx][1])
            lay_n = pieces(layers[idx][0], area * s2)
            garments.append({"label": name, "pieces": n, "ratio": round(ratio, 3),
                             "ok": bool(n == 1 and 0.85 <= ratio <= 1.2),
                             "layer_pieces": lay_n, "layer_ratio": round(lay_ratio, 3),
                             "layer_ok": bool(lay_n == 1 and 0.85 <= lay_ratio <= 1.2)})
        if name in CARRIED and area > 500:
            ys, xs = np.nonzero(src)
            pts = np.stack([xs, ys], axis=1).astype(np.float64)
            dist = [float(np.hypot(*(pts - photo_kp[w, :2]).T).min()) for w in (4, 7)]
            side = int(np.argmin(dist))
            if dist[side] > 0.2 * torso_photo:
                continue
            wrist = (7 if side == 0 else 4) if posed.mirrored else (4 if side == 0 else 7)
            out = warped == idx
            oys, oxs = np.nonzero(out)
            near = (float(np.hypot(oxs - rendered.keypoints[wrist, 0], oys - rendered.keypoints[wrist, 1]).min())
                    if len(oxs) else np.inf)
            n = pieces(out, area * s2)
            found = avatar.rig.carried is not None and avatar.rig.carried.side == ("right", "left")[side]
            carried.append({"label": name, "pieces": n, "hand_px": round(near, 1), "found": found,
                            "ok": bool(n <= max(1, pieces(src, area)) and near <= 0.2 * torso_out)})
    return garments, carried
