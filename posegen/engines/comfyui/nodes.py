"""Checking an API-format workflow against ComfyUI's node definitions before anything is sent.

The definitions are `node_definitions.json`: the node classes our bundled workflows use, transcribed from
ComfyUI's source at the commits it names, in the shape of ComfyUI's own GET /object_info. An operator whose
workflow uses other (custom) nodes saves their server's /object_info and points COMFYUI_NODE_DEFINITIONS_PATH
at it; those definitions are added to ours.

An input spec is `[type, options]` as /object_info gives it: "INT"/"FLOAT" (min, max), "STRING", "BOOLEAN",
"COMBO" (options: the allowed values; or files: a model/input folder of the server, whose file names we
cannot know here, so any non-empty name passes), an older-style list of allowed values, or a link type
("MODEL", "CONDITIONING", ...) that must be fed by `[node id, output index]` of a node whose output has
that type.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).resolve().parent / "node_definitions.json"
_PRIMITIVES = {"INT", "FLOAT", "STRING", "BOOLEAN", "COMBO"}


@cache
def _snapshot() -> dict[str, dict]:
    return json.loads(SNAPSHOT.read_text())["nodes"]


def node_definitions(extra_path: str = "") -> dict[str, dict]:
    """Our snapshot, plus an operator's /object_info file when given (its classes win: it is their server)."""
    definitions = dict(_snapshot())
    if extra_path:
        try:
            extra = json.loads(Path(extra_path).read_text())
        except (OSError, ValueError) as exc:
            raise ValueError(f"COMFYUI_NODE_DEFINITIONS_PATH: cannot read {extra_path}: {exc}") from exc
        if not isinstance(extra, dict) or not all(isinstance(v, dict) and "input" in v for v in extra.values()):
            raise ValueError(f"COMFYUI_NODE_DEFINITIONS_PATH: {extra_path} is not a ComfyUI /object_info JSON")
        definitions.update(extra)
    return definitions


def _is_link(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str | int)
            and isinstance(value[1], int) and not isinstance(value[1], bool))


def _literal_error(name: str, value: Any, kind: Any, opts: dict) -> str | None:
    if isinstance(kind, list):  # older /object_info style: the list of allowed values itself
        return None if value in kind else f"{name}: {value!r} is not one of {kind[:12]}"
    if kind == "COMBO":
        if "files" in opts:
            return None if isinstance(value, str) and value.strip() else f"{name}: needs a file name ({opts['files']})"
        options = opts.get("options", [])
        return None if value in options else f"{name}: {value!r} is not one of {options[:12]}"
    if kind == "INT":
        if not isinstance(value, int) or isinstance(value, bool):
            return f"{name}: {value!r} is not an integer"
    elif kind == "FLOAT":
        if not isinstance(value, int | float) or isinstance(value, bool):
            return f"{name}: {value!r} is not a number"
    elif kind == "STRING":
        return None if isinstance(value, str) else f"{name}: {value!r} is not text"
    elif kind == "BOOLEAN":
        return None if isinstance(value, bool) else f"{name}: {value!r} is not true/false"
    else:
        return f"{name}: takes a {kind} from another node, not the value {value!r}"
    low, high = opts.get("min"), opts.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        return f"{name}: {value!r} is outside {low}..{high}"
    return None


def graph_check(graph: dict, *, definitions: dict[str, dict]) -> list[str]:
    """Every problem ComfyUI's own validation would refuse the graph for, as readable lines (empty: fine)."""
    errors: list[str] = []
    for node_id, node in graph.items():
        class_type = node.get("class_type")
        spec = definitions.get(class_type)
        where = f"node {node_id} ({class_type})"
        if spec is None:
            errors.append(f"{where}: unknown node class (not in ComfyUI's definitions; for a custom node set "
                          f"COMFYUI_NODE_DEFINITIONS_PATH to your server's /object_info)")
            continue
        required = (spec.get("input") or {}).get("required") or {}
        optional = (spec.get("input") or {}).get("optional") or {}
        inputs = node.get("inputs") or {}
        errors += [f"{where}: required input {name!r} missing" for name in required if name not in inputs]
        for name, value in inputs.items():
            declared = required.get(name) or optional.get(name)
            if declared is None:
                errors.append(f"{where}: no input named {name!r} (has: {', '.join([*required, *optional])})")
                continue
            kind, opts = declared[0], (declared[1] if len(declared) > 1 and isinstance(declared[1], dict) else {})
            if _is_link(value):
                errors += _link_errors(graph, definitions, where, name, value, kind)
            else:
                problem = _literal_error(name, value, kind, opts)
                if problem:
                    errors.append(f"{where}: {problem}")
    return errors


def _link_errors(graph: dict, definitions: dict, where: str, name: str, value: list, kind: Any) -> list[str]:
    source_id, index = str(value[0]), value[1]
    source = graph.get(source_id)
    if source is None:
        return [f"{where}: {name} is linked to node {source_id}, which is not in the workflow"]
    outputs = (definitions.get(source.get("class_type")) or {}).get("output")
    if outputs is None:
        return []  # the source's own class is reported unknown
    if not 0 <= index < len(outputs):
        return [f"{where}: {name} is linked to output {index} of node {source_id}, which has {len(outputs)}"]
    produced = outputs[index]
    expected = "COMBO" if isinstance(kind, list) else kind
    if produced != expected and "*" not in (produced, expected) and not (expected in _PRIMITIVES and produced == "*"):
        return [f"{where}: {name} takes {expected} but node {source_id} output {index} gives {produced}"]
    return []
