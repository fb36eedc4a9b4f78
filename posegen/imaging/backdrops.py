"""Offline studio backdrops whose colours and light follow the words of a prompt.

This is what ``ai_generate`` does when the configured engine has no background generation of its
own (the offline engines): it is not a diffusion model. It reads colour words ("beige", "navy",
"pastel pink"), scene words that imply colours ("beach", "sunset", "forest", "luxury"), and light
words ("soft", "dramatic", "moody", "bright", "warm", "cool", "window light from the left",
"spotlight") and paints a seamless studio sweep: a wall that curves into a floor, lit by a soft key
light, with a vignette and a little grain so gradients do not band. ``backdrop_plan`` says what it
understood, so the UI can show it.

Engines that can generate backgrounds expose ``generate_background(prompt, width, height, seed)``
returning encoded image bytes; the background service uses that when the configured engine has it and
this module otherwise.

Never imports Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

__all__ = ["BACKDROP_LIBRARY", "Backdrop", "BackdropPlan", "backdrop_get", "backdrop_plan", "generate_backdrop"]

RGB = tuple[int, int, int]

COLOURS: dict[str, RGB] = {
    "white": (244, 244, 241), "ivory": (246, 241, 228), "cream": (243, 233, 212), "beige": (224, 206, 178),
    "sand": (222, 201, 160), "tan": (205, 176, 140), "grey": (158, 160, 163), "gray": (158, 160, 163),
    "silver": (192, 194, 198), "black": (24, 24, 27), "charcoal": (54, 56, 61), "blue": (72, 112, 172),
    "navy": (30, 44, 88), "sky": (150, 192, 232), "teal": (36, 128, 132), "turquoise": (64, 190, 190),
    "green": (78, 138, 88), "sage": (156, 172, 142), "olive": (118, 122, 66), "mint": (176, 224, 200),
    "pink": (236, 172, 188), "blush": (238, 200, 200), "rose": (214, 120, 140), "red": (180, 48, 48),
    "maroon": (110, 30, 40), "burgundy": (112, 28, 48), "orange": (236, 140, 60), "peach": (246, 192, 160),
    "coral": (240, 128, 110), "yellow": (242, 212, 92), "mustard": (206, 164, 52), "gold": (204, 162, 72),
    "purple": (118, 78, 160), "violet": (140, 90, 190), "lavender": (192, 172, 222), "lilac": (200, 170, 210),
    "brown": (118, 84, 58), "chocolate": (82, 54, 38), "terracotta": (190, 104, 74), "cyan": (80, 200, 220),
    "magenta": (200, 60, 160),
}
# Scene words: (wall colour, floor colour, default light).
SCENES: dict[str, tuple[RGB, RGB, str]] = {
    "beach": ((150, 196, 232), (226, 206, 166), "bright"),
    "ocean": ((70, 140, 190), (200, 220, 230), "bright"),
    "sunset": ((240, 150, 90), (150, 80, 110), "warm"),
    "sunrise": ((246, 190, 140), (200, 150, 160), "warm"),
    "forest": ((52, 96, 60), (86, 70, 48), "soft"),
    "garden": ((110, 160, 100), (90, 120, 70), "bright"),
    "park": ((120, 170, 110), (110, 140, 90), "bright"),
    "city": ((120, 126, 136), (80, 84, 90), "soft"),
    "urban": ((120, 126, 136), (80, 84, 90), "soft"),
    "night": ((24, 30, 60), (12, 14, 24), "dark"),
    "studio": ((170, 172, 175), (140, 142, 145), "soft"),
    "office": ((210, 208, 200), (150, 140, 128), "bright"),
    "cafe": ((150, 108, 76), (96, 68, 48), "warm"),
    "coffee": ((150, 108, 76), (96, 68, 48), "warm"),
    "snow": ((226, 236, 246), (244, 246, 250), "bright"),
    "winter": ((200, 216, 236), (236, 240, 246), "cool"),
    "desert": ((236, 196, 140), (214, 168, 112), "warm"),
    "autumn": ((206, 120, 56), (120, 76, 44), "warm"),
    "spring": ((200, 228, 180), (236, 200, 210), "bright"),
    "pastel": ((236, 214, 228), (214, 228, 236), "bright"),
    "neon": ((120, 40, 160), (20, 120, 160), "dark"),
    "luxury": ((30, 28, 26), (150, 118, 56), "dramatic"),
    "minimal": ((240, 240, 238), (226, 226, 224), "bright"),
    "concrete": ((150, 150, 146), (120, 120, 116), "soft"),
    "wood": ((160, 116, 76), (120, 84, 54), "warm"),
}
LIGHTS = {
    "soft": "soft", "diffused": "soft", "gentle": "soft", "bright": "bright", "airy": "bright", "sunny": "bright",
    "high-key": "bright", "highkey": "bright", "dramatic": "dramatic", "moody": "dark", "dark": "dark",
    "low-key": "dark", "lowkey": "dark", "dim": "dark", "spotlight": "dramatic", "spot": "dramatic",
    "warm": "warm", "golden": "warm", "cool": "cool", "cold": "cool", "icy": "cool",
}
_MODIFIERS = {"light": 0.35, "pale": 0.45, "pastel": 0.5, "soft": 0.15, "deep": -0.35, "dark": -0.4, "muted": 0.0}


@dataclass(frozen=True)
class BackdropPlan:
    wall: RGB
    floor: RGB
    light: str  # soft | bright | dramatic | dark | warm | cool
    light_x: float  # 0 (left) .. 1 (right): where the key light hits the wall
    understood: list[str] = field(default_factory=list)

    def describe(self) -> str:
        words = ", ".join(self.understood) if self.understood else "nothing specific (a neutral grey studio)"
        return f"Studio backdrop: understood {words}; {self.light} light."


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _modified(colour: RGB, amount: float) -> RGB:
    if amount > 0:
        return _mix(colour, (250, 250, 250), amount)
    if amount < 0:
        return _mix(colour, (8, 8, 10), -amount)
    grey = int(sum(colour) / 3)
    return _mix(colour, (grey, grey, grey), 0.45)


def backdrop_plan(prompt: str) -> BackdropPlan:
    """What the prompt asks for: wall and floor colours, the light, and the words understood."""
    words = re.findall(r"[a-z]+(?:-[a-z]+)?", (prompt or "").lower())
    understood: list[str] = []
    colours: list[RGB] = []
    scene: tuple[RGB, RGB, str] | None = None
    light: str | None = None
    light_x = 0.5
    pending_mod: float | None = None
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if word in _MODIFIERS and (nxt in COLOURS):
            pending_mod = _MODIFIERS[word]
            continue
        if word in COLOURS:
            colour = COLOURS[word]
            if pending_mod is not None:
                colour = _modified(colour, pending_mod)
                understood.append(f"{words[i - 1]} {word}")
            else:
                understood.append(word)
            colours.append(colour)
        elif word in SCENES and scene is None:
            scene = SCENES[word]
            understood.append(word)
            if word == "pastel":
                light = light or "bright"
        elif word in LIGHTS and light is None:
            light = LIGHTS[word]
            understood.append(f"{word} light")
        elif word == "left":
            light_x = 0.22
            understood.append("light from the left")
        elif word == "right":
            light_x = 0.78
            understood.append("light from the right")
        pending_mod = None
    if colours:
        wall = colours[0]
        floor = colours[1] if len(colours) > 1 else (scene[1] if scene else _mix(wall, (0, 0, 0), 0.18))
    elif scene:
        wall, floor = scene[0], scene[1]
    else:
        wall, floor = (188, 189, 191), (160, 161, 163)
    if light is None:
        light = scene[2] if scene else "soft"
    return BackdropPlan(wall=wall, floor=floor, light=light, light_x=light_x, understood=understood)


def _smoothstep(edge0: float, edge1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - edge0) / (edge1 - edge0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def generate_backdrop(*, prompt: str, width: int, height: int, seed: int = 0) -> np.ndarray:
    """An RGB (height, width, 3) uint8 studio backdrop following the prompt (see the module docstring)."""
    if not (1 <= width <= 8192 and 1 <= height <= 8192):
        raise ValueError("backdrop size out of range")
    plan = backdrop_plan(prompt)
    rng = np.random.default_rng(seed & 0xFFFFFFFF)
    ys = (np.arange(height, dtype=np.float32) + 0.5) / height
    xs = (np.arange(width, dtype=np.float32) + 0.5) / width
    horizon = 0.70 + float(rng.uniform(-0.03, 0.03))
    # The sweep: wall above, floor below, a soft curve between them.
    floor_t = _smoothstep(horizon - 0.10, horizon + 0.12, ys)[:, None, None]
    wall = np.asarray(plan.wall, np.float32) / 255.0
    floor = np.asarray(plan.floor, np.float32) / 255.0
    base = wall * (1.0 - floor_t) + floor * floor_t  # (H, 1, 3)
    # Key light: a broad elliptical pool on the wall, strength by the light word.
    strength, falloff, ambient = {
        "soft": (0.22, 0.75, 0.90), "bright": (0.30, 0.95, 1.00), "dramatic": (0.55, 0.38, 0.55),
        "dark": (0.35, 0.45, 0.45), "warm": (0.25, 0.70, 0.90), "cool": (0.22, 0.70, 0.90),
    }[plan.light]
    lx, ly = plan.light_x, 0.38
    aspect = width / height
    dx = (xs[None, :] - lx) * aspect
    dy = ys[:, None] - ly
    dist2 = (dx * dx) / (falloff * falloff) + (dy * dy) / ((falloff * 1.2) ** 2)
    pool = np.exp(-dist2 * 1.6)[:, :, None]
    tint = {"warm": (1.06, 1.0, 0.90), "cool": (0.92, 0.98, 1.07)}.get(plan.light, (1.0, 1.0, 1.0))
    lit = base * (ambient + strength * pool) * np.asarray(tint, np.float32)
    # Vignette and grain.
    vx = (xs[None, :] - 0.5) * 2.0
    vy = (ys[:, None] - 0.5) * 2.0
    vignette = 1.0 - (0.10 if plan.light in ("soft", "bright", "warm", "cool") else 0.28) * (vx * vx + vy * vy) / 2
    out = lit * vignette[:, :, None]
    grain = rng.normal(0.0, 1.2 / 255.0, size=(height, width, 1)).astype(np.float32)
    out = np.clip((out + grain) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(out)


@dataclass(frozen=True)
class Backdrop:
    id: str
    name: str
    prompt: str

    @property
    def plan(self) -> BackdropPlan:
        return backdrop_plan(self.prompt)


BACKDROP_LIBRARY: tuple[Backdrop, ...] = (
    Backdrop("studio_white", "Studio white", "clean white studio, bright soft light"),
    Backdrop("studio_grey", "Studio grey", "neutral grey studio, soft light"),
    Backdrop("warm_beige", "Warm beige", "warm beige backdrop, soft window light from the left"),
    Backdrop("pastel_pink", "Pastel pink", "pastel pink backdrop, bright airy light"),
    Backdrop("sage_green", "Sage green", "sage green studio, soft light"),
    Backdrop("deep_blue", "Deep blue", "deep navy blue backdrop, dramatic spotlight"),
    Backdrop("charcoal", "Charcoal low key", "dark charcoal backdrop, moody light"),
    Backdrop("sunset_glow", "Sunset glow", "sunset gradient, warm golden light"),
    Backdrop("beach_day", "Beach day", "beach, bright sunny light"),
    Backdrop("black_gold", "Black and gold", "luxury black and gold backdrop, dramatic spotlight"),
)


def backdrop_get(backdrop_id: str) -> Backdrop | None:
    return next((b for b in BACKDROP_LIBRARY if b.id == backdrop_id), None)
