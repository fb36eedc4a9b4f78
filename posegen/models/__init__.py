from posegen.models.generation import GeneratedPose, PoseGeneration, PoseSelection
from posegen.models.library import PoseCategory, PoseLibrary
from posegen.models.projects import PoseGeneratorProject

__all__ = [
    "GeneratedPose",
    "PoseCategory",
    "PoseGeneration",
    "PoseGeneratorProject",
    "PoseLibrary",
    "PoseSelection",
]
