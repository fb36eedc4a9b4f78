"""API-format ComfyUI workflows with `{{name}}` placeholders, and the bundled ones per studio model.

A string input that is exactly one placeholder ("{{seed}}") becomes the typed value (an int stays an
int); a placeholder inside longer text is replaced as text. Placeholders used by the shipped workflows:

    prompt, negative_prompt, seed, width, height, steps, guidance   (every workflow)
    avatar_image, pose_image                                        (the pose workflows)
    controlnet_weight, union_type, avatar_strength                  (flux1-dev's pose workflow only)

`avatar_image` / `pose_image` receive the names ComfyUI gave the uploaded images; for the edit models
(flux2-klein, qwen-image-edit) `pose_image` is the pose reference (a clothed mannequin, or the skeleton:
POSEGEN_POSE_REFERENCE) and `prompt` the edit instruction around the user's prompt. An operator's own
workflow (COMFYUI_WORKFLOW_PATH) must contain at least the placeholders in `REQUIRED_POSE` and one
SaveImage node, and every node and input must exist in ComfyUI's node definitions (`nodes.py`) with a
valid value; it is all checked when the engine starts, not at the first generation.

ComfyUI issue #4823: with the FLUX union ControlNet (Shakker-Labs / InstantX), the `SetUnionControlNetType`
value "openpose" selects the *canny* slot, so poses are ignored. Every such node in the graph we send
is set to COMFYUI_UNION_TYPE ("auto" by default, which lets the model infer the type from the image).
"""

from __future__ import annotations

import copy
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from posegen.engines.comfyui.nodes import graph_check, node_definitions

logger = logging.getLogger(__name__)

WORKFLOWS_DIR = Path(__file__).resolve().parent.parent / "workflows"
FLUX1_POSE_WORKFLOW = WORKFLOWS_DIR / "flux_pose.json"
FLUX1_BACKGROUND_WORKFLOW = WORKFLOWS_DIR / "flux_background.json"
REQUIRED_POSE = frozenset({"prompt", "seed", "width", "height", "pose_image", "avatar_image"})
REQUIRED_BACKGROUND = frozenset({"prompt", "seed", "width", "height"})
UNION_NODE = "SetUnionControlNetType"
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")




@dataclass(frozen=True)
class StudioModel:
    """A bundled pair of workflows (COMFYUI_MODEL) with the sampling the model wants and its licence."""

    pose_workflow: Path
    background_workflow: Path
    steps: int
    guidance: float  # the KSampler's cfg for the edit models; FluxGuidance for flux1-dev
    edit: bool  # avatar + pose reference as images 1 and 2 (else: ControlNet on the skeleton, Redux avatar)
    licence_key: str


MODELS: dict[str, StudioModel] = {
    "flux2-klein": StudioModel(WORKFLOWS_DIR / "flux2_klein_pose.json", WORKFLOWS_DIR / "flux2_klein_background.json",
                               4, 1.0, True, "flux2-klein-4b"),
    "qwen-image-edit": StudioModel(WORKFLOWS_DIR / "qwen_image_edit_pose.json",
                                   WORKFLOWS_DIR / "qwen_image_edit_background.json", 40, 4.0, True,
                                   "qwen-image-edit-2509"),
    "flux1-dev": StudioModel(FLUX1_POSE_WORKFLOW, FLUX1_BACKGROUND_WORKFLOW, 28, 3.5, False, "flux1-dev"),
}
DEFAULT_POSE_WORKFLOW = MODELS["flux2-klein"].pose_workflow
DEFAULT_BACKGROUND_WORKFLOW = MODELS["flux2-klein"].background_workflow
# What each placeholder is filled with when a workflow is checked against the node definitions.
SAMPLE_VALUES: dict[str, Any] = {
    "prompt": "a person", "negative_prompt": "", "seed": 1, "width": 1024, "height": 1536, "steps": 4,
    "guidance": 1.0, "avatar_image": "lumiku_avatar.png", "pose_image": "lumiku_pose.png", "controlnet_weight": 0.7,
    "union_type": "auto", "avatar_strength": 0.6,
}


class WorkflowError(ValueError):
    pass


def studio_model(name: str) -> StudioModel:
    model = MODELS.get(name)
    if model is None:
        raise WorkflowError(f"unknown COMFYUI_MODEL {name!r}; choose one of {', '.join(MODELS)}")
    return model


def _strings(node: Any):
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


def placeholders(graph: dict) -> set[str]:
    return {m.group(1) for text in _strings(graph) for m in _PLACEHOLDER.finditer(text)}


def workflow_load(path: str | Path, *, required: frozenset[str], definitions_path: str = "") -> dict:
    """Read and check an API-format workflow ({"node id": {"class_type", "inputs"}}): its placeholders, a
    SaveImage node, and every node and input against ComfyUI's node definitions (placeholders filled with
    typical values, so "{{seed}}" is checked as the integer it becomes)."""
    path = Path(path)
    try:
        graph = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise WorkflowError(f"cannot read ComfyUI workflow {path}: {exc}") from exc
    if not isinstance(graph, dict) or not graph or not all(
        isinstance(n, dict) and "class_type" in n and isinstance(n.get("inputs"), dict) for n in graph.values()
    ):
        raise WorkflowError(f"{path} is not an API-format ComfyUI workflow (use 'Export (API)' in ComfyUI)")
    missing = required - placeholders(graph)
    if missing:
        raise WorkflowError(f"{path} lacks the placeholders {', '.join(sorted(missing))}")
    if not any(n["class_type"] == "SaveImage" for n in graph.values()):
        raise WorkflowError(f"{path} has no SaveImage node")
    unknown = placeholders(graph) - set(SAMPLE_VALUES)
    if unknown:
        raise WorkflowError(f"{path} uses placeholders the engine does not fill: {', '.join(sorted(unknown))}")
    try:
        definitions = node_definitions(definitions_path)
    except ValueError as exc:
        raise WorkflowError(str(exc)) from exc
    problems = graph_check(_fill(copy.deepcopy(graph), SAMPLE_VALUES), definitions=definitions)
    if problems:
        raise WorkflowError(f"{path} does not match ComfyUI's node definitions: " + "; ".join(problems[:10]))
    return graph


def _fill(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value.strip())
        if whole and whole.group(1) in values:
            return values[whole.group(1)]
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), value)
    return value


def workflow_render(graph: dict, *, values: dict[str, Any], union_type: str = "auto") -> dict:
    """A copy of `graph` with the placeholders filled and every union ControlNet type set to `union_type`."""
    left = placeholders(graph) - set(values)  # checked on the template: user text may contain braces
    if left:
        raise WorkflowError(f"workflow placeholders without a value: {', '.join(sorted(left))}")
    rendered = _fill(copy.deepcopy(graph), values)
    for node_id, node in rendered.items():
        if node.get("class_type") == UNION_NODE:
            current = node["inputs"].get("type")
            if current != union_type:
                if current == "openpose":
                    logger.warning("ComfyUI workflow node %s: union type 'openpose' selects canny on the FLUX "
                                   "union ControlNet (ComfyUI #4823); sending %r", node_id, union_type)
                node["inputs"]["type"] = union_type
    return rendered


def save_nodes(graph: dict) -> list[str]:
    return [node_id for node_id, node in graph.items() if node.get("class_type") == "SaveImage"]
