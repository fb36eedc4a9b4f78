"""The posekit body model: a 3D skeleton posed by a few named joint angles, seen by a camera.

A :class:`Pose` is plain data: joint angles in degrees (zero everywhere = standing upright,
facing the camera, arms hanging), a :class:`Root` placing the body in the room and a
:class:`Camera` orbiting it, plus the :class:`BodyShape` (height, male/female/neutral
proportions). Forward kinematics stands the body on the floor, so sitting, kneeling and lying
poses need no heights; projection scales the figure to fit any canvas.

Angles (``[l_|r_]`` = per side; a key without the side sets both sides):

=========================  ==========================================================  ==========
key                        positive means                                              limits
=========================  ==========================================================  ==========
spine.flexion              bend forward (negative: arch back)                          -30..90
spine.lateral              lean towards the figure's left                              -35..35
spine.twist                turn the chest towards the figure's left                    -45..45
neck.flexion               nod down                                                    -50..70
neck.tilt                  tilt the head towards the left shoulder                     -40..40
neck.turn                  look to the figure's left                                   -80..80
[l_|r_]shoulder.flexion    raise the arm forward (180: straight up)                    -60..180
[l_|r_]shoulder.abduction  raise the arm out to the side (negative: across the body)   -40..180
[l_|r_]shoulder.rotation   internal rotation (turns a bent forearm across the belly)   -90..90
[l_|r_]elbow.flexion       bend the elbow                                              0..150
[l_|r_]wrist.flexion       bend the hand towards the palm                              -70..80
[l_|r_]hip.flexion         raise the thigh forward                                     -30..140
[l_|r_]hip.abduction       move the leg out to the side (negative: across the other)   -35..70
[l_|r_]hip.rotation        internal rotation (turns the knee inward)                   -45..50
[l_|r_]knee.flexion        bend the knee                                               0..155
[l_|r_]ankle.flexion       lift the toes (negative: point them)                        -50..30
=========================  ==========================================================  ==========

Flexion and abduction of a shoulder or hip combine as one swing (90 and 90 raise the limb
diagonally, halfway between forward and sideways), then the rotation twists the limb about its
own axis. Root: ``yaw`` (turn left), ``pitch`` (tip forward; 90 = face down, -90 = on the back),
``roll`` (tip onto the left side), ``lift`` (metres above the floor). Camera: ``yaw`` (orbit
towards the figure's left; 35-45 is a 3/4 view, 90 a profile, 180 the back), ``pitch`` (look
down from above), ``roll``, ``distance`` (perspective; None = orthographic).

Example::

    from posegen.posekit.skeleton import (
        Camera, Root, make_pose, pose_distance, pose_from_dict, pose_jitter, pose_mirror,
        pose_to_dict, pose_with, project_pose,
    )

    hands_on_hips = make_pose(
        angles={"shoulder.abduction": 45, "shoulder.flexion": -20, "shoulder.rotation": 80,
                "elbow.flexion": 100},
        camera=Camera(yaw=35),                      # 3/4 view
    )
    sitting = make_pose(angles={"hip.flexion": 90, "knee.flexion": 90})
    legs_crossed = pose_with(pose=sitting, angles={"l_hip.flexion": 100, "l_hip.abduction": -35,
                                                  "l_knee.flexion": 110})
    kneeling = make_pose(angles={"knee.flexion": 90, "ankle.flexion": -40})
    lying_on_side = make_pose(angles={"hip.flexion": 20, "knee.flexion": 30}, root=Root(roll=90))
    jumping = make_pose(angles={"hip.flexion": 40, "knee.flexion": 80, "shoulder.abduction": 150},
                        root=Root(lift=0.35))

    view = project_pose(pose=hands_on_hips, width=768, height=1024)
    view.keypoints          # (18, 3) COCO-18, x and y in 0..1 of the canvas, confidence
    view.depth              # (18,) metres from the camera, for drawing far limbs first
    data = pose_to_dict(pose=hands_on_hips)       # plain JSON-ready dict
    assert pose_from_dict(data=data) == hands_on_hips
    mirrored = pose_mirror(pose=hands_on_hips)
    variant = pose_jitter(pose=hands_on_hips, seed=7, degrees=5)
    if pose_distance(a=variant, b=hands_on_hips) < 0.02: ...   # near-duplicate

Invalid names, values out of their limits and malformed dicts raise :class:`PoseSpecError`.
"""

from posegen.posekit.skeleton.joints import ANGLE_KEYS, DOF_BY_KEY, DOFS, Dof, PoseSpecError
from posegen.posekit.skeleton.pose import Camera, Pose, Root, make_pose, pose_from_dict, pose_to_dict, pose_with
from posegen.posekit.skeleton.projection import ProjectedPose, ViewTransform, project_pose
from posegen.posekit.skeleton.proportions import BodyShape, Proportions, body_proportions
from posegen.posekit.skeleton.rig import Skeleton3D, pose_joints_3d
from posegen.posekit.skeleton.variation import keypoint_distance, pose_distance, pose_jitter, pose_mirror

__all__ = [
    "ANGLE_KEYS",
    "DOFS",
    "DOF_BY_KEY",
    "BodyShape",
    "Camera",
    "Dof",
    "Pose",
    "PoseSpecError",
    "ProjectedPose",
    "Proportions",
    "Root",
    "Skeleton3D",
    "ViewTransform",
    "body_proportions",
    "keypoint_distance",
    "make_pose",
    "pose_distance",
    "pose_from_dict",
    "pose_jitter",
    "pose_joints_3d",
    "pose_mirror",
    "pose_to_dict",
    "pose_with",
    "project_pose",
]
