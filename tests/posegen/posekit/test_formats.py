"""OpenPose JSON: reading every variant the tools write, precise errors, writing back."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from posegen.posekit.formats import (
    OpenPoseDocument,
    OpenPoseFormatError,
    OpenPosePerson,
    dump_openpose,
    load_openpose,
    openpose_to_dict,
    parse_openpose,
)
from posegen.posekit.keypoints import BODY25_TO_COCO18, COCO18_INDEX


def body18(scale: float = 1.0) -> list[float]:
    """18 distinct points: x = 0.02 + 0.05 i, y = 0.9 - 0.04 i (times scale), confidence 1."""
    out: list[float] = []
    for i in range(18):
        out += [(0.02 + 0.05 * i) * scale, (0.9 - 0.04 * i) * scale, 1.0]
    return out


def doc(**person: object) -> dict:
    return {"people": [person], "canvas_width": 400, "canvas_height": 200}


def test_normalised_input_is_kept_as_is():
    d = parse_openpose(data=json.dumps(doc(pose_keypoints_2d=body18())))
    assert (d.canvas_width, d.canvas_height) == (400, 200)
    assert len(d.people) == 1
    np.testing.assert_array_equal(d.people[0].body, np.array(body18()).reshape(18, 3))
    assert d.people[0].hand_left is None and d.people[0].hand_right is None and d.people[0].face is None


def test_pixel_input_is_normalised_by_the_canvas():
    raw = [v for i in range(18) for v in (10.0 * i + 5, 200 - 9.0 * i, 0.5)]
    d = parse_openpose(data=doc(pose_keypoints_2d=raw))
    expected = np.array(raw).reshape(18, 3) / np.array([400.0, 200.0, 1.0])
    np.testing.assert_allclose(d.people[0].body, expected, rtol=0, atol=1e-15)


def test_body25_is_converted_to_coco18():
    raw = [v for i in range(25) for v in (i + 1.0, 100.0 + i, 0.5 + i / 100)]
    d = parse_openpose(data=doc(pose_keypoints_2d=raw))
    body = d.people[0].body * np.array([400.0, 200.0, 1.0])
    for coco, b25 in enumerate(BODY25_TO_COCO18):
        assert body[coco] == pytest.approx([b25 + 1.0, 100.0 + b25, 0.5 + b25 / 100], abs=1e-12)
    # MidHip (8) and the feet (19-24) are dropped; right hip is BODY_25's 9.
    assert body[COCO18_INDEX["r_hip"], 0] == pytest.approx(10.0)
    assert body[COCO18_INDEX["l_ear"], 0] == pytest.approx(19.0)


def test_missing_points_are_all_zero():
    raw = body18(scale=100)
    raw[3:6] = [0, 0, 0]  # neck not detected
    raw[6:9] = [123.0, 45.0, 0.0]  # coordinates without confidence count as missing too
    d = parse_openpose(data=doc(pose_keypoints_2d=raw))
    assert d.people[0].body[1].tolist() == [0.0, 0.0, 0.0]
    assert d.people[0].body[2].tolist() == [0.0, 0.0, 0.0]
    assert d.people[0].body[3, 2] == 1.0


@pytest.mark.parametrize("absent", ["null", "missing", "empty"])
def test_hands_and_face_may_be_null_absent_or_empty(absent):
    person: dict[str, object] = {"pose_keypoints_2d": body18()}
    for key in ("hand_left_keypoints_2d", "hand_right_keypoints_2d", "face_keypoints_2d"):
        if absent == "null":
            person[key] = None
        elif absent == "empty":
            person[key] = []
    d = parse_openpose(data=doc(**person))
    assert d.people[0].hand_left is None and d.people[0].hand_right is None and d.people[0].face is None


def test_hands_and_face_are_read_and_normalised_with_the_body():
    hand = [v for i in range(21) for v in (100.0 + i, 50.0 + i, 0.9)]
    face = [v for i in range(70) for v in (200.0 + i, 20.0, 0.8)]
    d = parse_openpose(data=doc(pose_keypoints_2d=body18(scale=100), hand_right_keypoints_2d=hand,
                                face_keypoints_2d=face))
    person = d.people[0]
    assert person.hand_right.shape == (21, 3) and person.face.shape == (70, 3)
    assert person.hand_right[20].tolist() == pytest.approx([120.0 / 400, 70.0 / 200, 0.9])
    assert person.face[0].tolist() == pytest.approx([0.5, 0.1, 0.8])
    assert parse_openpose(data=doc(pose_keypoints_2d=body18(), face_keypoints_2d=[0.1] * 204)).people[0].face.shape \
        == (68, 3)


def test_missing_canvas_is_inferred_from_pixel_points():
    raw = [0.0] * 54
    raw[0:3] = [30.0, 40.0, 0.9]
    raw[3:6] = [120.4, 160.2, 0.7]
    d = parse_openpose(data={"people": [{"pose_keypoints_2d": raw}]})
    # Far edge plus the near margin: ceil(120.4 + 30) x ceil(160.2 + 40).
    assert (d.canvas_width, d.canvas_height) == (151, 201)
    assert d.people[0].body[0].tolist() == pytest.approx([30 / 151, 40 / 201, 0.9])
    given = parse_openpose(data={"people": [{"pose_keypoints_2d": raw}]}, canvas_size=(153, 192))
    assert (given.canvas_width, given.canvas_height) == (153, 192)
    assert given.people[0].body[1].tolist() == pytest.approx([120.4 / 153, 160.2 / 192, 0.7])


def test_missing_canvas_with_normalised_points_defaults_to_512():
    d = parse_openpose(data={"people": [{"pose_keypoints_2d": body18()}]})
    assert (d.canvas_width, d.canvas_height) == (512, 512)
    np.testing.assert_array_equal(d.people[0].body, np.array(body18()).reshape(18, 3))
    declared = parse_openpose(data=doc(pose_keypoints_2d=body18()), canvas_size=(10, 10))
    assert (declared.canvas_width, declared.canvas_height) == (400, 200)  # the document wins


def test_no_people_is_an_empty_document():
    d = parse_openpose(data='{"version": 1.3, "people": []}')
    assert d.people == () and (d.canvas_width, d.canvas_height) == (512, 512)
    assert parse_openpose(data={}).people == ()


def test_several_people():
    d = parse_openpose(data={"people": [{"pose_keypoints_2d": body18()}, {"pose_keypoints_2d": body18(0.5)}],
                             "canvas_width": 64, "canvas_height": 64})
    assert len(d.people) == 2
    assert d.people[1].body[0].tolist() == pytest.approx([0.01, 0.45, 1.0])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{nope", "not valid JSON: "),
        ("[]", "top level must be an object, got a list"),
        ({"people": {}}, "people must be a list, got an object"),
        ({"people": [3]}, "people[0] must be an object, got int"),
        ({"people": [{}]}, "people[0] has no pose_keypoints_2d"),
        ({"people": [{"pose_keypoints_2d": "1,2,3"}]}, "people[0].pose_keypoints_2d must be a list of numbers, "
                                                        "got a string"),
        ({"people": [{"pose_keypoints_2d": [0.5] * 53}]},
         "people[0].pose_keypoints_2d has 53 values; expected 54 (18×3) or 75 (25×3)"),
        ({"people": [{"pose_keypoints_2d": body18()}, {"pose_keypoints_2d": [0.5] * 57}]},
         "people[1].pose_keypoints_2d has 57 values; expected 54 (18×3) or 75 (25×3)"),
        ({"people": [{"pose_keypoints_2d": [*body18()[:4], "x", *body18()[5:]]}]},
         "people[0].pose_keypoints_2d[4] is 'x'; expected a number"),
        ({"people": [{"pose_keypoints_2d": [*body18()[:6], True, *body18()[7:]]}]},
         "people[0].pose_keypoints_2d[6] is True; expected a number"),
        ('{"people": [{"pose_keypoints_2d": [NaN' + ", 0" * 53 + "]}]}",
         "people[0].pose_keypoints_2d[0] is nan; expected a finite number"),
        ({"people": [{"pose_keypoints_2d": body18(), "hand_left_keypoints_2d": [0.1] * 60}]},
         "people[0].hand_left_keypoints_2d has 60 values; expected 63 (21×3)"),
        ({"people": [{"pose_keypoints_2d": body18(), "face_keypoints_2d": [0.1] * 9}]},
         "people[0].face_keypoints_2d has 9 values; expected 210 (70×3) or 204 (68×3)"),
        ({"people": [{"pose_keypoints_2d": body18(), "hand_right_keypoints_2d": {"x": 1}}]},
         "people[0].hand_right_keypoints_2d must be a list of numbers, got an object"),
        ({"people": [], "canvas_width": 512}, "canvas_width is given but canvas_height is missing"),
        ({"people": [], "canvas_width": -5, "canvas_height": 10}, "canvas_width must be a positive integer, got -5"),
        ({"people": [], "canvas_width": 10, "canvas_height": 12.5},
         "canvas_height must be a positive integer, got 12.5"),
        ({"people": [], "canvas_width": "512", "canvas_height": 10},
         "canvas_width must be a positive integer, got '512'"),
    ],
)
def test_malformed_input_names_the_problem(data, message):
    with pytest.raises(OpenPoseFormatError) as err:
        parse_openpose(data=data)
    assert str(err.value).startswith(message)
    assert isinstance(err.value, ValueError)


def test_integral_float_canvas_is_accepted():
    d = parse_openpose(data={"people": [], "canvas_width": 512.0, "canvas_height": 768})
    assert (d.canvas_width, d.canvas_height) == (512, 768)
    assert isinstance(d.canvas_width, int)


def sample_document() -> OpenPoseDocument:
    body = np.array(body18()).reshape(18, 3)
    body[5] = 0.0
    hand = np.tile([0.25, 0.75, 0.5], (21, 1))
    return OpenPoseDocument((OpenPosePerson(body=body, hand_left=hand),), 400, 200)


def test_write_pixels_and_normalised():
    document = sample_document()
    pixels = openpose_to_dict(document=document, coordinates="pixels")
    assert pixels["canvas_width"] == 400 and pixels["canvas_height"] == 200
    person = pixels["people"][0]
    assert person["pose_keypoints_2d"][:3] == pytest.approx([0.02 * 400, 0.9 * 200, 1.0])
    assert person["pose_keypoints_2d"][15:18] == [0.0, 0.0, 0.0]
    assert len(person["pose_keypoints_2d"]) == 54
    assert person["hand_left_keypoints_2d"][:3] == [100.0, 150.0, 0.5]
    assert person["hand_right_keypoints_2d"] is None and person["face_keypoints_2d"] is None
    normalised = openpose_to_dict(document=document, coordinates="normalized")
    assert normalised["people"][0]["pose_keypoints_2d"] == [float(v) for v in document.people[0].body.reshape(-1)]
    with pytest.raises(ValueError, match="coordinates must be"):
        openpose_to_dict(document=document, coordinates="inches")  # type: ignore[arg-type]


@pytest.mark.parametrize("coordinates", ["pixels", "normalized"])
def test_round_trip(coordinates):
    document = sample_document()
    again = parse_openpose(data=dump_openpose(document=document, coordinates=coordinates))
    assert (again.canvas_width, again.canvas_height) == (400, 200)
    np.testing.assert_allclose(again.people[0].body, document.people[0].body, rtol=0, atol=1e-12)
    np.testing.assert_allclose(again.people[0].hand_left, document.people[0].hand_left, rtol=0, atol=1e-12)
    assert again.people[0].hand_right is None


def test_single_figure_document_from_keypoints():
    body = np.array(body18()).reshape(18, 3)
    document = OpenPoseDocument.single(body=body, canvas_width=768, canvas_height=1024)
    assert document.people[0].body is not body
    np.testing.assert_array_equal(document.people[0].body, body)


# The files OpenPose editors, OpenPose itself and our research helpers wrote.


def test_sdwebui_editor_file_normalised(shared_poses):
    d = load_openpose(path=shared_poses / "sdwebui_openpose_editor_pose.json")
    assert (d.canvas_width, d.canvas_height) == (768, 512)
    body = d.people[0].body
    assert body[0].tolist() == [0.4778645833333333, 0.3359375, 1.0]
    assert body[COCO18_INDEX["l_wrist"]].tolist() == [0.7565104166666666, 0.484375, 1.0]
    # The editor's figure is a bust: no hips, knees or ankles.
    assert np.all(body[8:14] == 0.0)
    assert d.people[0].face is None
    assert d.people[0].hand_left.shape == (21, 3) and d.people[0].hand_right.shape == (21, 3)


def test_sdwebui_editor_file_pixels(shared_poses):
    d = load_openpose(path=shared_poses / "sdwebui_openpose_editor_pose_hand_fixed.json")
    assert (d.canvas_width, d.canvas_height) == (768, 512)
    body = d.people[0].body
    assert body[0].tolist() == pytest.approx([367 / 768, 172 / 512, 1.0], abs=1e-15)
    assert body[COCO18_INDEX["r_elbow"], :2].tolist() == pytest.approx(
        [104.85654973694608 / 768, 376.2731965157172 / 512], abs=1e-15)
    assert np.all(body[8:14] == 0.0)
    assert d.people[0].face is None  # absent from the file
    # Same figure as the normalised file: the nose and neck agree to the pixel.
    normalised = load_openpose(path=shared_poses / "sdwebui_openpose_editor_pose.json").people[0].body
    np.testing.assert_allclose(body[:2, :2] * [768, 512], normalised[:2, :2] * [768, 512], atol=1e-9)


def test_real_openpose_body25_output(shared_poses):
    d = load_openpose(path=shared_poses / "spin_im1010_openpose_body25.json")
    # No canvas in the file (the photo is 153 x 192): inferred from the detections.
    assert (d.canvas_width, d.canvas_height) == (155, 199)
    body = d.people[0].body
    assert body[COCO18_INDEX["r_elbow"]].tolist() == [0.0, 0.0, 0.0]
    assert body[COCO18_INDEX["r_wrist"]].tolist() == [0.0, 0.0, 0.0]
    assert body[COCO18_INDEX["r_ear"]].tolist() == [0.0, 0.0, 0.0]
    assert body[COCO18_INDEX["r_hip"]].tolist() == pytest.approx([71.5884 / 155, 96.9234 / 199, 0.574803])
    assert body[COCO18_INDEX["l_ear"]].tolist() == pytest.approx([73.9174 / 155, 42.636 / 199, 0.769856])
    assert int((body[:, 2] > 0).sum()) == 15
    assert d.people[0].face.shape == (70, 3) and d.people[0].hand_left.shape == (21, 3)
    sized = load_openpose(path=shared_poses / "spin_im1010_openpose_body25.json", canvas_size=(153, 192))
    assert sized.people[0].body[0, :2].tolist() == pytest.approx([66.4171 / 153, 47.0342 / 192])


@pytest.mark.parametrize(
    ("name", "size"),
    [("derived_skier_coco785_openpose18.json", (640, 425)), ("derived_yoga_warrior2_openpose18.json", (1000, 667))],
)
def test_derived_ground_truth_files(shared_poses, name, size):
    d = load_openpose(path=shared_poses / name)
    assert (d.canvas_width, d.canvas_height) == size
    body = d.people[0].body
    assert np.all(body[:, 2] == 1.0)
    assert np.all((body[:, :2] > 0) & (body[:, :2] < 1))
    # These files put the neck at the shoulders' midpoint.
    neck = (body[COCO18_INDEX["r_shoulder"], :2] + body[COCO18_INDEX["l_shoulder"], :2]) / 2
    assert body[COCO18_INDEX["neck"], :2] == pytest.approx(neck, abs=1e-12)
    written = json.loads(dump_openpose(document=d, coordinates="pixels"))
    original = json.loads((shared_poses / name).read_text())
    assert written["people"][0]["pose_keypoints_2d"] == pytest.approx(original["people"][0]["pose_keypoints_2d"],
                                                                     abs=1e-9)
    assert not any(math.isnan(v) for v in written["people"][0]["pose_keypoints_2d"])
