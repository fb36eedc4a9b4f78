"""Text to pose: every family of phrases lands on the right angles, sides, views; errors list examples."""

from __future__ import annotations

import numpy as np
import pytest

from posegen.posekit.catalog.anatomy import pose_collisions
from posegen.posekit.keypoints import COCO18_INDEX
from posegen.posekit.skeleton import DOF_BY_KEY, pose_distance, pose_from_dict, pose_joints_3d
from posegen.posekit.text_to_pose import EXAMPLE_PHRASES, TextToPoseError, normalise_text, text_to_pose


def angle(result, key: str) -> float:
    return result.pose.angle(key)


def world(result, joint: str) -> np.ndarray:
    return pose_joints_3d(pose=result.pose).position(joint)


# ---- stances ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["sitting on a chair", "seated on a bench", "sitting"])
def test_sitting_bends_hips_and_knees(text):
    r = text_to_pose(text=text)
    assert r.parts.stance == "sitting_chair"
    for side in "lr":
        assert angle(r, f"{side}_knee.flexion") > 80
        assert angle(r, f"{side}_hip.flexion") > 80


def test_standing_is_upright_and_understood():
    r = text_to_pose(text="standing")
    assert r.understood == ("standing",)
    assert all(abs(angle(r, f"{s}_{j}.flexion")) < 10 for s in "lr" for j in ("hip", "knee"))


@pytest.mark.parametrize(("text", "stance"), [
    ("walking down the street", "walking"),
    ("runway walk", "walking_runway"),
    ("running", "running"),
    ("jumping", "jumping"),
    ("star jump", "jumping_star"),
    ("sitting on the floor", "sitting_floor_legs_out"),
    ("sitting cross-legged", "sitting_cross_legged"),
    ("kneeling", "kneeling"),
    ("kneeling on one knee", "kneeling_one_knee"),
    ("sitting on her heels", "kneeling_sitting_back"),
    ("crouching", "crouching"),
    ("squatting down", "crouching"),
    ("lying on her back", "lying_back"),
    ("lying on the side", "lying_side"),
    ("lying on the stomach", "lying_stomach"),
    ("reclining", "reclining"),
    ("leaning against a wall", "standing_lean_back"),
    ("perched on a bar stool", "sitting_stool"),
])
def test_stances(text, stance):
    assert text_to_pose(text=text).parts.stance == stance


def test_walking_puts_one_leg_forward_and_the_other_back():
    r = text_to_pose(text="walking")
    assert angle(r, "l_hip.flexion") > 15 and angle(r, "r_hip.flexion") < -5


def test_kneeling_puts_knees_on_the_floor():
    r = text_to_pose(text="kneeling")
    assert angle(r, "l_knee.flexion") >= 85
    assert world(r, "l_knee")[1] < 0.1  # metres above the floor


def test_jumping_leaves_the_floor():
    r = text_to_pose(text="jumping with arms raised")
    assert r.pose.root.lift > 0.2
    assert min(world(r, "l_toe")[1], world(r, "r_toe")[1]) > 0.2


def test_lying_is_horizontal():
    r = text_to_pose(text="lying on her back")
    head, ankle = world(r, "head_top"), world(r, "l_ankle")
    assert abs(head[1] - ankle[1]) < 0.3


def test_crouching_folds_deeply():
    r = text_to_pose(text="crouching")
    assert angle(r, "l_knee.flexion") > 120 and angle(r, "l_hip.flexion") > 100


# ---- arms and hands -----------------------------------------------------------------------------


def test_arms_raised_lift_both_shoulders():
    r = text_to_pose(text="arms raised")
    for side in "lr":
        assert angle(r, f"{side}_shoulder.flexion") > 150
        assert world(r, f"{side}_wrist")[1] > world(r, "head_top")[1]


def test_arms_out_are_shoulder_abduction():
    r = text_to_pose(text="arms out to the sides")
    assert angle(r, "l_shoulder.abduction") >= 85 and angle(r, "r_shoulder.abduction") >= 85


def test_hands_on_hips_put_wrists_at_the_waist_with_elbows_out():
    r = text_to_pose(text="hands on hips")
    assert r.parts.arms() == ("hand_on_hip", "hand_on_hip")
    for side, sign in (("l", 1), ("r", -1)):
        wrist, hip, elbow = world(r, f"{side}_wrist"), world(r, f"{side}_hip"), world(r, f"{side}_elbow")
        assert abs(wrist[1] - hip[1]) < 0.15
        assert sign * elbow[0] > sign * wrist[0] + 0.1  # elbow out to the side
        assert angle(r, f"{side}_elbow.flexion") > 80


def test_arms_crossed_bring_the_forearms_across_the_chest():
    r = text_to_pose(text="standing, arms crossed")
    assert r.parts.arms() == ("arms_crossed", "arms_crossed")
    assert world(r, "l_wrist")[0] < 0.0 < world(r, "r_wrist")[0]  # each wrist past the midline
    assert not pose_collisions(pose=r.pose)


def test_hand_on_chin_reaches_the_face():
    r = text_to_pose(text="right hand on chin")
    assert r.parts.arms()[1] == "hand_on_chin"
    assert np.linalg.norm(world(r, "r_hand") - world(r, "nose")) < 0.15
    assert r.understood == ("right hand on chin",)


@pytest.mark.parametrize(("text", "gesture"), [
    ("waving", "waving"), ("pointing at the camera", "pointing_forward"), ("hands behind head", "behind_head"),
    ("hands in pockets", "in_pocket"), ("thumbs up", "thumbs_up"), ("hand on heart", "hand_on_heart"),
    ("touching her hair", "hand_in_hair"), ("taking a selfie", "selfie"), ("hands clasped", "clasped"),
    ("holding a cup of coffee", "holding_cup"), ("flexing", "flexing"), ("arms open", "arms_open"),
])
def test_gestures(text, gesture):
    assert gesture in text_to_pose(text=text).parts.arms()


def test_waving_raises_the_forearm():
    r = text_to_pose(text="waving")
    assert world(r, "r_wrist")[1] > world(r, "r_elbow")[1] + 0.15


def test_holding_a_product_at_chest_height_uses_both_hands_in_front_of_the_chest():
    r = text_to_pose(text="holding a product at chest height")
    assert r.parts.arms() == ("hold_chest", "hold_chest")
    chest = world(r, "chest")
    for side in "lr":
        wrist = world(r, f"{side}_wrist")
        assert wrist[2] > chest[2] + 0.2  # in front
        assert abs(wrist[1] - (chest[1] + 0.1)) < 0.15  # at chest height


def test_holding_beside_the_face_is_one_hand_near_the_head():
    r = text_to_pose(text="holding a bottle beside her face")
    assert r.parts.arms() == ("down", "beside_face")
    assert np.linalg.norm(world(r, "r_hand") - world(r, "head_centre")) < 0.25


def test_seated_hands_on_knees():
    r = text_to_pose(text="sitting on a chair, hands on knees")
    for side in "lr":
        assert np.linalg.norm(world(r, f"{side}_wrist") - world(r, f"{side}_knee")) < 0.15


# ---- left and right ----------------------------------------------------------------------------


def test_left_and_right_hand_words_are_mirror_images():
    left = text_to_pose(text="left hand raised")
    right = text_to_pose(text="right hand raised")
    assert left.parts.arms() == ("raised", "down") and right.parts.arms() == ("down", "raised")
    assert angle(left, "l_shoulder.flexion") == angle(right, "r_shoulder.flexion") > 150
    assert pose_distance(a=left.pose, b=right.pose, mirror_invariant=True) < 1e-6
    assert pose_distance(a=left.pose, b=right.pose) > 0.02


def test_one_handed_gesture_defaults_to_the_right_hand_and_the_next_goes_left():
    r = text_to_pose(text="waving, hand on hip")
    assert r.parts.arms() == ("hand_on_hip", "waving")


def test_with_the_left_hand():
    assert text_to_pose(text="waving with the left hand").parts.arms() == ("waving", "down")


def test_directions_are_the_pictures():
    left = text_to_pose(text="looking left")
    right = text_to_pose(text="looking right")
    assert angle(left, "neck.turn") < -30 and angle(right, "neck.turn") > 30
    # In a front view the nose of "looking left" is left of the neck in the picture.
    nose, neck = COCO18_INDEX["nose"], COCO18_INDEX["neck"]
    assert left.keypoints[nose, 0] < left.keypoints[neck, 0] < right.keypoints[nose, 0]


def test_pointing_left_uses_the_arm_on_the_pictures_left():
    r = text_to_pose(text="pointing left")
    assert r.parts.arms() == ("down", "pointing_side")
    wrist = COCO18_INDEX["r_wrist"]
    assert r.keypoints[wrist, 0] < 0.3


def test_right_knee_up_mirrors_the_legs():
    r = text_to_pose(text="standing on one leg, right knee up")
    assert r.parts.stance == "standing_knee_up"
    assert angle(r, "r_hip.flexion") > 70 and angle(r, "l_hip.flexion") < 10


# ---- legs, head, view --------------------------------------------------------------------------


def test_legs_crossed_depend_on_the_stance():
    assert text_to_pose(text="sitting on a chair with legs crossed").parts.stance == "sitting_chair_crossed"
    assert text_to_pose(text="standing, legs crossed").parts.stance == "standing_ankles_crossed"
    crossed = text_to_pose(text="sitting on a chair with legs crossed")
    assert angle(crossed, "l_hip.abduction") < -20  # the left thigh crosses over


def test_wide_stance_and_stepping():
    assert angle(text_to_pose(text="wide stance"), "l_hip.abduction") > 10
    step = text_to_pose(text="stepping forward")
    assert angle(step, "l_hip.flexion") > 15


def test_looking_up_and_down_and_tilt():
    assert angle(text_to_pose(text="looking up"), "neck.flexion") < -20
    assert angle(text_to_pose(text="looking down"), "neck.flexion") > 20
    assert abs(angle(text_to_pose(text="head tilted"), "neck.tilt")) > 10


@pytest.mark.parametrize(("text", "view", "yaw"), [
    ("standing, arms crossed, 3/4 view", "three_quarter_left", 40),
    ("three-quarter right", "three_quarter_right", -40),
    ("standing, side view", "profile_left", 90),
    ("in profile facing right", "profile_right", -90),
    ("standing, back view", "back", 180),
    ("standing, front view", "front", 0),
])
def test_views_set_the_camera(text, view, yaw):
    r = text_to_pose(text=text)
    assert r.parts.view == view
    assert r.pose.camera.yaw == yaw


def test_three_quarter_left_turns_the_figure_to_the_pictures_left():
    r = text_to_pose(text="standing, 3/4 left")
    nose, neck = COCO18_INDEX["nose"], COCO18_INDEX["neck"]
    assert r.keypoints[nose, 0] < r.keypoints[neck, 0]


def test_over_the_shoulder_is_a_back_view_looking_at_the_camera():
    r = text_to_pose(text="walking, looking over the shoulder")
    assert r.parts.view.startswith("back_three_quarter") and r.parts.face_camera


# ---- the brief's examples, Bahasa Indonesia, determinism, errors -------------------------------


def test_full_description_is_understood_in_order():
    r = text_to_pose(text="sitting on a chair with legs crossed, right hand on chin, looking left")
    assert r.understood == ("sitting on a chair", "legs crossed", "right hand on chin", "looking left")
    assert angle(r, "l_knee.flexion") > 50 and angle(r, "r_elbow.flexion") > 130 and angle(r, "neck.turn") < -30
    assert r.keypoints.shape == (18, 3)
    assert not pose_collisions(pose=r.pose)


def test_result_carries_pose_dict_structure_and_keypoints():
    r = text_to_pose(text="standing, arms crossed, 3/4 view")
    assert pose_from_dict(data=r.pose_dict) == r.pose
    structure = r.structure()
    assert structure["stance"] == "standing" and structure["view"] == "three_quarter_left"
    assert structure["understood"] == list(r.understood)
    assert ((r.keypoints[:, :2] >= 0) & (r.keypoints[:, :2] <= 1)).all()


@pytest.mark.parametrize(("text", "stance", "arms"), [
    ("berdiri, tangan di pinggang", "standing", ("hand_on_hip", "hand_on_hip")),
    ("duduk di kursi, tangan kanan di dagu", "sitting_chair", ("down", "hand_on_chin")),
    ("berjalan sambil melambai", "walking", ("down", "waving")),
    ("berlutut, bersedekap", "kneeling", ("arms_crossed", "arms_crossed")),
    ("jongkok", "crouching", ("forearms_on_knees", "forearms_on_knees")),
    ("duduk di lantai", "sitting_floor_legs_out", ("floor_behind", "floor_behind")),
])
def test_bahasa_indonesia_basics(text, stance, arms):
    r = text_to_pose(text=text)
    assert (r.parts.stance, r.parts.arms()) == (stance, arms)


def test_indonesian_directions():
    assert text_to_pose(text="berdiri, melihat ke kiri").parts.head == ("turn_left",)
    assert text_to_pose(text="berdiri, tampak samping").parts.view == "profile_left"


def test_deterministic():
    a = text_to_pose(text="kneeling on one knee, hand on heart, 3/4 right")
    b = text_to_pose(text="kneeling on one knee, hand on heart, 3/4 right")
    assert a.pose == b.pose and a.understood == b.understood
    np.testing.assert_array_equal(a.keypoints, b.keypoints)


def test_variations_are_seeded_nearby_and_possible():
    r = text_to_pose(text="standing, hands on hips")
    first = r.variations(count=3, seed=5)
    again = r.variations(count=3, seed=5)
    other = r.variations(count=3, seed=6)
    assert first == again and first != other and len(first) == 3
    for pose in first:
        assert 0.001 < pose_distance(a=pose, b=r.pose) < 0.1
        assert not pose_collisions(pose=pose)
        for key, value in pose.angles.items():
            dof = DOF_BY_KEY[key]
            assert dof.low <= value <= dof.high


@pytest.mark.parametrize("text", ["a beautiful sunset over the sea", "red dress, studio lighting", "   ", ""])
def test_no_pose_words_raise_with_example_phrases(text):
    with pytest.raises(TextToPoseError) as error:
        text_to_pose(text=text)
    message = str(error.value)
    assert "Try phrases like" in message
    assert all(example in message for example in EXAMPLE_PHRASES[:3])
    assert error.value.examples == EXAMPLE_PHRASES


def test_too_long_is_an_error():
    with pytest.raises(TextToPoseError, match="500 characters"):
        text_to_pose(text="standing " * 100)


def test_conflicting_stances_keep_the_first_found_and_note_the_other():
    r = text_to_pose(text="standing, then sitting on a chair")
    assert r.parts.stance in ("standing", "sitting_chair")
    assert r.notes


def test_normalise_text():
    assert normalise_text("Three-Quarter view, ARMS-crossed!") == "3/4 view , arms crossed ,"
    assert normalise_text("tangan kanan di dagu") == "right hand on chin"
