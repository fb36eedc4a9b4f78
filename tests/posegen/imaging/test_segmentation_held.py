"""A thick region only the pose model is sure of joins the matte (segmentation_masks.pose_sure_regions).

Seller photos 0807 and 0241: the tote at the hip and the big shoulder bag are in BlazePose's per-person mask
but not the selfie model's, whose confident "no" outweighed it in the fusion, so the bag was cut off.
Synthetic inputs only; no models."""

from __future__ import annotations

import numpy as np

from posegen.imaging.segmentation_masks import pose_sure_holes, pose_sure_regions


def test_a_thick_region_only_the_pose_model_is_sure_of_joins_the_matte_and_a_thin_rim_does_not():
    fused = np.zeros((200, 200), np.float32)
    pose = np.zeros((200, 200), np.float32)
    fused[20:180, 20:80] = pose[20:180, 20:80] = 1.0  # the person, both agree
    pose[60:120, 80:140] = 0.95  # a bag at the hip: 60 px square, inscribed radius ~30
    pose[20:180, 10:20] = 0.95  # a 10-px rim the pose mask bleeds onto the background
    pose[150:180, 150:180] = 0.6  # somewhere the pose model is not sure of
    out = pose_sure_regions(fused, pose, thickness_px=20.0)
    assert (out[60:120, 80:140] == np.float32(0.95)).all()
    assert (out[20:180, 10:18] == 0.0).all()
    assert (out[150:180, 150:180] == 0.0).all()
    assert (out[20:180, 20:80] == 1.0).all()
    # Thinner than asked: nothing changes.
    assert (pose_sure_regions(fused, pose, thickness_px=40.0) == fused).all()


def test_a_hole_the_pose_model_is_sure_of_is_filled_and_a_gap_it_sees_or_an_open_bay_is_not():
    """0807: her scarf between the forearm and the bag, taken for the street by the selfie model, was half
    transparent inside the matte; the pose model was sure of it. A gap between an arm and the body the pose
    model sees too, and an unsure bay open to the background is the person's edge, not a hole."""
    fused = np.zeros((200, 200), np.float32)
    pose = np.zeros((200, 200), np.float32)
    fused[20:180, 20:120] = pose[20:180, 20:120] = 1.0
    fused[40:70, 40:70] = 0.4  # the scarf: enclosed, the pose model sure
    fused[100:130, 40:70] = 0.0  # the gap between arm and body: enclosed, the pose model sees it
    pose[100:130, 40:70] = 0.3
    fused[60:90, 100:120] = 0.3  # a bay open to the background on the right
    out = pose_sure_holes(fused, pose)
    assert (out[40:70, 40:70] == 1.0).all()
    assert (out[100:130, 40:70] == 0.0).all()
    assert (out[60:90, 100:120] == np.float32(0.3)).all()
    assert (out[:20] == 0.0).all()
    # The body's inside a little under 0.9 (the fusion's average) and a pinhole are no holes.
    inside = fused.copy()
    inside[140:170, 80:110] = 0.85
    inside[150, 30] = 0.0
    kept = pose_sure_holes(inside, pose)
    assert (kept[140:170, 80:110] == np.float32(0.85)).all() and kept[150, 30] == 0.0
    # Below the hips it is the street between the legs, which the pose model's blur is sure of (0139).
    assert (pose_sure_holes(fused, pose, hips_y=30.0)[40:70, 40:70] == np.float32(0.4)).all()
    assert (pose_sure_holes(fused, pose, hips_y=100.0)[40:70, 40:70] == 1.0).all()
    # A hole the pose model is sure of in only part of it (under 80 %) stays as it was.
    pose[40:70, 40:50] = 0.5
    assert (pose_sure_holes(fused, pose)[40:70, 40:70] == fused[40:70, 40:70]).all()
