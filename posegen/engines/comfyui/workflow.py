"""API-format ComfyUI workflows with `{{name}}` placeholders.

A string input that is exactly one placeholder ("{{seed}}") becomes the typed value (an int stays an
int); a placeholder inside longer text is replaced as text. Placeholders used by the shipped workflows:

    prompt, negative_prompt, seed, width, height, steps, guidance   (both workflows)
    avatar_image, pose_image, controlnet_weight, union_type, avatar_strength   (the pose workflow)

`avatar_image` / `pose_image` receive the names ComfyUI gave the uploaded images. An operator's own
workflow (COMFYUI_WORKFLOW_PATH) must contain at least the placeholders in `REQUIRED_POSE` and one
SaveImage node; it is checked when the engine starts, not at the first generation.

ComfyUI issue #4823: with the FLUX union ControlNet (Shakker-Labs / InstantX), the `SetUnionControlNetType`
value "openpose" selects the *canny* slot, so poses are ignored. Every such node in the graph we send
is set to COMFYUI_UNION_TYPE ("auto" by default, which lets the model infer the type from the image).
"""

from __future__ import annotations

import copy
import json
import logging
import re
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

WORKFLOWS_DIR = Path(__file__).resolve().parent.parent / "workflows"
DEFAULT_POSE_WORKFLOW = WORKFLOWS_DIR / "flux_pose.json"
DEFAULT_BACKGROUND_WORKFLOW = WORKFLOWS_DIR / "flux_background.json"
REQUIRED_POSE = frozenset({"prompt", "seed", "width", "height", "pose_image", "avatar_image", "controlnet_weight"})
REQUIRED_BACKGROUND = frozenset({"prompt", "seed", "width", "height"})
UNION_NODE = "SetUnionControlNetType"
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


class WorkflowError(ValueError):
    pass


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


def workflow_load(path: str | Path, *, required: frozenset[str]) -> dict:
    """Read and check an API-format workflow ({"node id": {"class_type", "inputs"}})."""
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
