"""Rigging and end-to-end re-posing of the offline engine on the licensed fixtures (Django-free).

Research-only photos are read from ../shared/testdata and skipped when it is absent."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from posegen.engines.base import BadEngineInput, EngineRequest
from posegen.engines.offline import OfflineEngine, avatar_check, repose, rig_avatar
from posegen.engines.offline.fidelity import pose_fidelity
from posegen.engines.offline.rig import PART_INDEX, PARTS
from posegen.posekit.extract import extract_pose
from posegen.posekit.skeleton import make_pose, pose_to_dict, project_pose
from tests.paths import REPO

ROOT = REPO
FIXTURES = ROOT / "tests" / "fixtures" / "images"
SHARED = ROOT.parent / "shared" / "testdata" / "images"
SKIER = FIXTURES / "fullbody_skier_snow_coco785.jpg"
W, H = 512, 768  # half size keeps the suite fast; the engine is size-independent

ARMS_UP = make_pose(angles={"shoulder.abduction": 150})
HANDS_ON_HIPS = make_pose(angles={"shoulder.abduction": 45, "shoulder.flexion": -20, "shoulder.rotation": 80,
                                  "elbow.flexion": 100})
STEP = make_pose(angles={"l_hip.flexion": 35, "l_knee.flexion": 40, "r_shoulder.flexion": 40,
                         "l_shoulder.abduction": 60})


@pytest.fixture(scope="module")
def skier():
    return rig_avatar(image=SKIER.read_bytes())


def test_every_triangle_belongs_to_a_part_and_every_piece_is_pinned(skier):
    rig = skier.rig
    assert len(rig.triangles) > 500
    assert ((rig.triangle_part >= 0) & (rig.triangle_part < len(PARTS))).all()
    for name in ("torso", "head", "r_forearm", "l_forearm", "r_shin", "l_shin"):
        assert (rig.triangle_part == PART_INDEX[name]).sum() > 5, name
    # Corners map back into the texture (the torso into its painted copy on the right half).
    assert rig.triangle_src[..., 0].min() >= -1 and rig.triangle_src[..., 0].max() <= 2 * rig.tex_width + 1
    assert len(rig.pins) >= 2 * len(PARTS)


def test_limbs_are_cut_from_the_torso_where_they_touch(skier):
    rig = skier.rig
    torso, arm = PART_INDEX["torso"], PART_INDEX["l_forearm"]
    torso_vertices = set(np.unique(rig.triangles[rig.triangle_part == torso]))
    forearm_vertices = set(np.unique(rig.triangles[rig.triangle_part == arm]))
    # The skier's left forearm lies across her jacket, yet no vertex is shared with the torso
    # (it meets only its upper arm, at the elbow).
    assert not torso_vertices & forearm_vertices
    upper = set(np.unique(rig.triangles[rig.triangle_part == PART_INDEX["l_upper_arm"]]))
    assert upper & forearm_vertices


def _detected_fidelity(rendered_rgb, target_px, avatar_kp):
    found = extract_pose(image=rendered_rgb)
    return pose_fidelity(detected=found.keypoints_px(), target=target_px, avatar=avatar_kp)


def test_end_to_end_fidelity_on_licensed_fixture(skier):
    """The skier is a hard avatar (her left arm is folded in front of her jacket), so the floor is
    per-set: a step pose must come out right, and the set as a whole well above chance."""
    scores = {}
    for name, pose in (("arms_up", ARMS_UP), ("hands_on_hips", HANDS_ON_HIPS), ("step", STEP)):
        view = project_pose(pose=pose, width=W, height=H)
        rendered, _ = repose(avatar=skier, target=view.keypoints, width=W, height=H, depth=view.depth)
        assert rendered.rgb.shape == (H, W, 3)
        # The person fills a sensible part of the frame.
        assert 0.05 < (rendered.alpha > 127).mean() < 0.5
        scores[name] = _detected_fidelity(rendered.rgb, view.keypoints_px(), skier.rig.keypoints)
    assert scores["step"] >= 0.7, scores
    # The set floor guards against a collapse, not against the detector's coin flips: the skier is a
    # photo avatar_check refuses (forearm toward the camera), and one pixel's difference flips MediaPipe
    # on her raised arms between 0.14 and 0.43. Over 10 poses at two sizes (artifacts of issue 14) the
    # engine before and after the garment-aware rig scored 0.52 and 0.51.
    assert np.mean(list(scores.values())) >= 0.33, scores


def test_engine_generate_returns_png_and_caches_the_rig(skier):
    # The step pose: the skier's arms-up comes out below the quality gate (her folded arm), see above.
    engine = OfflineEngine(cache_size=2)
    view = project_pose(pose=STEP, width=W, height=H)
    request = EngineRequest(avatar_image=SKIER.read_bytes(), keypoints=view.keypoints.astype(np.float32),
                            controlnet_map_loader=lambda: b"", prompt="", width=W, height=H,
                            pose_structure=pose_to_dict(pose=STEP), seed=3, variation=1)
    first = engine.generate(request)
    with Image.open(io.BytesIO(first.image)) as img:
        assert img.size == (W, H)
    gate = first.metadata["qualityGate"]  # what the gate measured travels with the image
    assert gate["passed"] is True and gate["checks"]["pose"]["pck"] >= 0.5
    assert len(engine._cache) == 1
    second = engine.generate(request)
    assert second.elapsed < first.elapsed  # the rig was reused
    assert second.image == first.image  # seeded: same request, same picture


def test_unusable_avatar_is_a_bad_input():
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (120, 160, 200)).save(buffer, "PNG")
    with pytest.raises(BadEngineInput) as caught:
        rig_avatar(image=buffer.getvalue())
    assert "person" in caught.value.user_message.lower()


def test_avatar_check_refuses_a_forearm_pointing_at_the_camera_and_explains_a_portrait():
    # The skier's left forearm points at the camera (a fifth of her upper arm's length in the photo):
    # re-posed, that arm is a stub the pose detector cannot read, so the photo is refused with advice.
    skier = avatar_check(image=SKIER.read_bytes())
    assert not skier.ok
    assert [p.code for p in skier.problems] == ["arm_toward_camera"]
    assert "left forearm points toward the camera" in skier.problems[0].message
    assert skier.problems[0].advice
    portrait = avatar_check(image=(FIXTURES / "upper_arms_crossed_portrait.jpg").read_bytes())
    assert not portrait.ok
    codes = {p.code for p in portrait.problems}
    assert "not_full_body" in codes
    assert all(p.message and p.advice for p in portrait.problems)
    assert portrait.to_dict()["problems"][0]["code"]


@pytest.mark.skipif(not (SHARED / "fullbody_yoga_tree_pose_white_bg.jpg").exists(), reason="no ../shared/testdata")
def test_avatar_check_flags_folded_limbs_on_research_photo():
    check = avatar_check(image=(SHARED / "fullbody_yoga_tree_pose_white_bg.jpg").read_bytes())
    assert not check.ok
    assert {"arms_over_body", "legs_crossed"} <= {p.code for p in check.problems}


def test_avatar_check_accepts_a_warrior_pose_photo():
    photo = SHARED / "fullbody_yoga_warrior2_beach.jpg"
    if not photo.exists():
        pytest.skip("no ../shared/testdata")
    check = avatar_check(image=photo.read_bytes())
    assert check.ok, check.problems


def test_thin_protrusions_are_trimmed_from_the_mesh(skier):
    """A ski pole held in the hand is not part of the person: the mesh does not follow a thin stick."""
    import cv2

    from posegen.engines.offline.rig import build_rig

    texture = skier.cutout.texture.copy()
    glove = skier.rig.keypoints[4, :2]
    tip = (8, texture.shape[0] - 8)
    cv2.line(texture, (int(glove[0]), int(glove[1])), tip, (40, 40, 40, 255), 1)
    rig = build_rig(texture=texture, keypoints=skier.cutout.keypoints)
    along = np.linspace(glove, tip, 40)[20:]  # the stick's far half
    nearest = np.min(np.hypot(*(rig.vertices[:, None, :] - along[None, :, :]).transpose(2, 0, 1)), axis=0)
    assert (nearest > 4.0).all(), nearest.min()


def test_cut_edges_are_smooth_not_stepped(skier):
    """Along an arm cut from the torso the coverage ramps over a couple of pixels: no pixel jumps
    from fully covered to empty, and the outline has no triangle-sized steps."""
    view = project_pose(pose=ARMS_UP, width=W, height=H)
    rendered, _ = repose(avatar=skier, target=view.keypoints, width=W, height=H, depth=view.depth)
    a = rendered.alpha.astype(np.int32)
    partial = ((a > 10) & (a < 245)).sum()
    edge = (np.abs(np.diff(a, axis=1)) > 0).sum()
    assert partial > 0.5 * edge / 2  # most outline pixels are partly covered (anti-aliased)
    # Hard jumps (opaque next to empty) are rare: under 4% of the outline (where the matte is sharp).
    hard = (np.abs(np.diff(a, axis=1)) > 230).sum() + (np.abs(np.diff(a, axis=0)) > 230).sum()
    assert hard < 0.04 * edge, (hard, edge)


def test_no_holes_in_the_torso_when_the_arms_move_away(skier):
    """Moving the folded arm away shows painted torso, not the backdrop: the torso is fully covered."""
    import cv2

    view = project_pose(pose=ARMS_UP, width=W, height=H)
    rendered, _ = repose(avatar=skier, target=view.keypoints, width=W, height=H, depth=view.depth)
    quad = rendered.keypoints[[2, 5, 11, 8], :2]
    core = np.zeros((H, W), np.uint8)
    cv2.fillConvexPoly(core, np.round(quad.mean(axis=0) + (quad - quad.mean(axis=0)) * 0.8).astype(np.int32), 1)
    assert core.sum() > 500
    assert (rendered.alpha[core > 0] > 127).mean() == 1.0


def test_matte_refinement_drops_fringe_and_firms_up_the_person():
    from posegen.engines.offline.cutout import _refine_alpha

    alpha = np.array([0, 20, 30, 128, 204, 230, 255], dtype=np.uint8)
    out = _refine_alpha(alpha)
    assert out[0] == 0 and out[1] == 0 and out[2] == 0  # faint fringe (below 12%) goes
    assert out[4] == 255 and out[5] == 255 and out[6] == 255  # 80% and above is solid
    assert 120 < out[3] < 150  # the middle keeps a soft edge
    assert (np.diff(out.astype(int)) >= 0).all()
