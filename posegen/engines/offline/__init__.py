"""The offline re-posing engine: cut-out -> rig -> ARAP deformation -> render, all on a CPU.

Public API (keyword-only)::

    from posegen.engines.offline import OfflineEngine, avatar_check, rig_avatar, repose

    avatar = rig_avatar(image=photo_bytes)            # once per avatar (1-3 s)
    rendered, posed = repose(avatar=avatar, target=keypoints18_normalised, width=1024, height=1536)
    rendered.rgb                                      # (1536, 1024, 3) uint8
    check = avatar_check(image=photo_bytes)           # before charging: can this photo be re-posed?
    check.ok, check.problems, check.to_dict()

Never imports Django.
"""

from posegen.engines.offline.avatar_check import AvatarCheck, AvatarProblem, avatar_check
from posegen.engines.offline.engine import AvatarRig, OfflineEngine, repose, rig_avatar

__all__ = ["AvatarCheck", "AvatarProblem", "AvatarRig", "OfflineEngine", "avatar_check", "repose", "rig_avatar"]
