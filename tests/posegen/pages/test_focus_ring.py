"""The keyboard focus ring is visible: its colour has at least 3:1 contrast against the page background
and the cards (WCAG 2.2, 1.4.11 non-text contrast), and every focusable element uses it."""

import re

from tests.paths import REPO

CSS = (REPO / "static" / "css" / "app.css").read_text()


def _variable(name: str) -> str:
    return re.search(rf"--{name}:\s*([^;]+);", CSS).group(1).strip()


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_focus_ring_is_solid_and_contrasts_at_least_3_to_1():
    ring = _variable("focus")
    assert "rgba" not in ring  # a translucent ring is as faint as what is under it
    colour = re.findall(r"#[0-9a-fA-F]{6}", ring)[-1]  # the outer ring
    for background in (_variable("bg"), _variable("surface")):
        assert _contrast(colour, background) >= 3, (colour, background)
    assert re.search(r":focus-visible \{[^}]*box-shadow: var\(--focus\)", CSS)
