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
    assert np.mean(list(scores.values())) >= 0.4, scores


def test_engine_generate_returns_png_and_caches_the_rig(skier):
    engine = OfflineEngine(cache_size=2)
    view = project_pose(pose=ARMS_UP, width=W, height=H)
    request = EngineRequest(avatar_image=SKIER.read_bytes(), keypoints=view.keypoints.astype(np.float32),
                            controlnet_map_loader=lambda: b"", prompt="", width=W, height=H,
                            pose_structure=pose_to_dict(pose=ARMS_UP), seed=3, variation=1)
    first = engine.generate(request)
    with Image.open(io.BytesIO(first.image)) as img:
        assert img.size == (W, H)
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


def test_avatar_check_accepts_the_skier_and_explains_a_portrait():
    ok = avatar_check(image=SKIER.read_bytes())
    assert ok.ok, ok.problems
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
