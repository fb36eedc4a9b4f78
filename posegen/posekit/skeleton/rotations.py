"""Rotation matrices in the body frame: x = the figure's left, y = up, z = the figure's front."""

from __future__ import annotations

import math

import numpy as np

# Reflection through the body's sagittal plane; conjugating by it turns a left-side rotation into
# the anatomically equal right-side one, so the right side never needs its own sign conventions.
MIRROR_X = np.diag([-1.0, 1.0, 1.0])


def rot_x(degrees: float) -> np.ndarray:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rot_y(degrees: float) -> np.ndarray:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rot_z(degrees: float) -> np.ndarray:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def swing_twist(*, about_x: float, about_z: float, twist: float) -> np.ndarray:
    """A twist about the bone's own (vertical at rest) axis followed by a swing.

    The swing is one rotation about the horizontal axis (about_x, 0, about_z) by its length in
    degrees (the exponential map). Unlike Euler angles this never locks: flexion 90 and abduction 90
    together raise the limb diagonally, halfway between "forward" and "out to the side".
    """
    angle = math.hypot(about_x, about_z)
    swing = np.eye(3)
    if angle > 1e-12:
        kx, kz = about_x / angle, about_z / angle
        theta = math.radians(angle)
        k = np.array([[0.0, -kz, 0.0], [kz, 0.0, -kx], [0.0, kx, 0.0]])
        swing = swing + math.sin(theta) * k + (1.0 - math.cos(theta)) * (k @ k)
    return swing @ rot_y(twist)


def mirrored(rotation: np.ndarray) -> np.ndarray:
    return MIRROR_X @ rotation @ MIRROR_X
