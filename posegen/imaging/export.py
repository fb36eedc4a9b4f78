"""Exporting one image to many formats: decode once, crop around the person, encode in parallel.

libvips (pyvips, with its own binary wheel) does the work, as sharp does for the original system:
- The source is decoded once (EXIF orientation applied, converted to sRGB from any embedded profile,
  alpha flattened) into memory; every format then crops and resizes that in-memory copy, so 13 formats
  cost one decode, not 13.
- Cover-crop **around the subject**: the crop window has the format's aspect ratio and is as large as
  the image allows, placed so the subject's box (from the pose keypoints or the person matte) is inside
  it, as close to centred on the subject as the image edges allow. When even the largest window cannot
  hold the whole subject (a standing person in a 1.91:1 banner), the window grows past the image and the
  margin is filled with the photo's own border colour: the subject is never cut.
- Lanczos3 resampling to the exact pixel size; JPEG progressive with optimised Huffman tables; WebP at
  the format's quality (lossless where the format is lossless); every piece of metadata stripped (EXIF,
  XMP, ICC — the pixels are sRGB); print PNGs carry 300 DPI in their pHYs chunk.
- PNG: zlib level 1 with the "up" row filter. libvips (and sharp) default to no filter at level 6; on
  2480×3508 print photos level 1 + "up" encodes in a fifth of that time and the files come out about a
  quarter smaller (bench/RESULTS.md, export section), so it is faster and never larger.
- The formats of one image are encoded on a thread pool (libvips releases the GIL), so the cores
  encode different formats at once. One format failing (an encoder error, a bad watermark) does not
  take the others with it when the caller asks for failures (``failed=``): they are delivered and the
  failure is reported by format.
- ``export_many`` can find the person itself (``find_subject``) on the same pool, so finding the person
  in the next image overlaps encoding this one instead of running before any export starts.

Never imports Django.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from posegen.imaging.export_formats import ExportFormat

__all__ = [
    "CORNERS",
    "ExportError",
    "ExportedImage",
    "SourceImage",
    "Watermark",
    "cover_window",
    "export_image",
    "export_many",
]

logger = logging.getLogger(__name__)
logging.getLogger("pyvips").setLevel(logging.WARNING)  # libvips' INFO lines are per-operation noise

CORNERS = ("top_left", "top_right", "bottom_left", "bottom_right")
# Space kept around the subject's box inside a crop, as a share of the box's size.
SUBJECT_MARGIN = 0.06
PNG_COMPRESSION = 1
PNG_FILTER = "up"
WEBP_EFFORT = 2
_MM_PER_INCH = 25.4
# Decoded sources above this many pixels are refused (the upload limits are far lower).
MAX_SOURCE_PIXELS = 80_000_000


class ExportError(Exception):
    """The image cannot be exported (undecodable, too large, bad logo); ``str()`` is safe to show."""


@dataclass(frozen=True)
class Watermark:
    """A logo in a corner of every export: encoded PNG/JPEG/WebP bytes (already validated by content)."""

    logo: bytes
    corner: str = "bottom_right"
    opacity: float = 0.8  # 0..1
    scale: float = 0.18  # logo width as a share of the export's shorter side

    def __post_init__(self) -> None:
        if self.corner not in CORNERS:
            raise ExportError(f"corner must be one of {', '.join(CORNERS)}")
        if not 0.0 < self.opacity <= 1.0:
            raise ExportError("opacity must be above 0 and at most 1")
        if not 0.02 <= self.scale <= 0.5:
            raise ExportError("scale must be within 0.02..0.5")


@dataclass(frozen=True)
class ExportedImage:
    spec: ExportFormat
    data: bytes
    width: int
    height: int

    @property
    def extension(self) -> str:
        return self.spec.extension

    @property
    def content_type(self) -> str:
        return self.spec.content_type


def _vips():
    import pyvips

    return pyvips


def cover_window(*, src_w: int, src_h: int, dst_w: int, dst_h: int,
                 subject: tuple[float, float, float, float] | None = None,
                 margin: float = SUBJECT_MARGIN) -> tuple[int, int, int, int]:
    """(left, top, width, height) in source pixels of the crop for a dst_w × dst_h output.

    The window has the output's aspect ratio. Without a subject it is the largest centred window (a
    plain cover crop). With one it holds the subject's box plus ``margin``; it may extend past the
    image (negative left/top, or past the right/bottom edge) only when the subject could not fit
    otherwise.
    """
    aspect = dst_w / dst_h
    win_w = min(float(src_w), src_h * aspect)
    win_h = win_w / aspect
    if subject is None:
        cx, cy = src_w / 2.0, src_h / 2.0
        need_w = need_h = 0.0
    else:
        x0, y0, x1, y1 = (float(v) for v in subject)
        x0, y0 = max(0.0, x0), max(0.0, y0)
        x1, y1 = min(float(src_w), x1), min(float(src_h), y1)
        pad_x, pad_y = (x1 - x0) * margin, (y1 - y0) * margin
        x0, y0 = max(0.0, x0 - pad_x), max(0.0, y0 - pad_y)
        x1, y1 = min(float(src_w), x1 + pad_x), min(float(src_h), y1 + pad_y)
        cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
        need_w, need_h = x1 - x0, y1 - y0
        if need_w > win_w or need_h > win_h:
            # Grow the window (past the image) until the subject fits, keeping the aspect ratio.
            win_w = max(need_w, need_h * aspect)
            win_h = win_w / aspect

    def place(center: float, size: float, limit: float) -> float:
        if size <= limit:  # inside the image: centred on the subject, clamped to the edges
            return min(max(center - size / 2.0, 0.0), limit - size)
        return (limit - size) / 2.0  # wider than the image: centred on it

    left, top = place(cx, win_w, src_w), place(cy, win_h, src_h)
    if subject is not None:  # the window must contain the subject's box whatever the clamping did
        left = max(min(left, x0), x1 - win_w)
        top = max(min(top, y0), y1 - win_h)
    w = max(1, round(win_w))
    h = max(1, round(win_h))
    return round(left), round(top), w, h


class SourceImage:
    """One decoded photo (sRGB, 3 bands, orientation applied), shareable between threads."""

    def __init__(self, data: bytes) -> None:
        pyvips = _vips()
        try:
            image = pyvips.Image.new_from_buffer(data, "", access="random", fail_on="error")
            if image.width * image.height > MAX_SOURCE_PIXELS:
                raise ExportError("The image is too large to export.")
            image = image.autorot()
            if image.get_typeof("icc-profile-data") != 0:
                with contextlib.suppress(pyvips.Error):  # a broken profile: treat the pixels as sRGB
                    image = image.icc_transform("srgb", embedded=True, intent="perceptual")
            if image.format != "uchar" or image.interpretation not in ("srgb", "b-w"):
                image = image.colourspace("srgb").cast("uchar")
            if image.hasalpha():
                image = image.flatten(background=[255, 255, 255])
            if image.bands == 1:
                image = image.bandjoin([image, image])
            elif image.bands == 2:  # grey + alpha flattened to grey above; keep this for safety
                image = image.extract_band(0).bandjoin([image.extract_band(0), image.extract_band(0)])
            self.image = image.copy_memory()
        except pyvips.Error as exc:
            raise ExportError("The image could not be read.") from exc
        self.width = int(self.image.width)
        self.height = int(self.image.height)
        self._border_colour: list[float] | None = None
        self._lock = threading.Lock()

    def border_colour(self) -> list[float]:
        """Median-ish colour of the photo's outer rows and columns: the fill past its edges."""
        with self._lock:
            if self._border_colour is None:
                img = self.image
                strip = max(1, min(img.width, img.height) // 50)
                parts = [img.crop(0, 0, img.width, strip), img.crop(0, img.height - strip, img.width, strip),
                         img.crop(0, 0, strip, img.height), img.crop(img.width - strip, 0, strip, img.height)]
                means = [[p.extract_band(b).avg() for b in range(3)] for p in parts]
                self._border_colour = [sorted(m[b] for m in means)[len(means) // 2] for b in range(3)]
            return self._border_colour


def _framed(src: SourceImage, left: int, top: int, width: int, height: int):
    image = src.image
    if left >= 0 and top >= 0 and left + width <= src.width and top + height <= src.height:
        return image.crop(left, top, width, height)
    # Part of the window lies past the image: place the image on a canvas of the border colour.
    return image.embed(-left, -top, width, height, extend="background", background=src.border_colour())


def _resized(image, width: int, height: int):
    if (image.width, image.height) == (width, height):
        return image
    out = image.resize(width / image.width, vscale=height / image.height, kernel="lanczos3")
    if (out.width, out.height) != (width, height):  # rounding: fix the last pixel row/column
        out = out.embed(0, 0, width, height, extend="copy")
    return out


def _watermarked(image, mark: Watermark):
    pyvips = _vips()
    try:
        logo = pyvips.Image.new_from_buffer(mark.logo, "", access="sequential", fail_on="error").autorot()
        if logo.interpretation not in ("srgb", "b-w") or logo.format != "uchar":
            logo = logo.colourspace("srgb").cast("uchar")
        if logo.bands in (1, 2):
            logo = logo.colourspace("srgb")
        if not logo.hasalpha():
            logo = logo.bandjoin(255)
    except pyvips.Error as exc:
        raise ExportError("The logo could not be read.") from exc
    target_w = max(8, round(min(image.width, image.height) * mark.scale))
    scale = min(target_w / logo.width, (image.height * 0.3) / logo.height)
    logo = logo.resize(scale, kernel="lanczos3")
    alpha = (logo.extract_band(3) * mark.opacity).cast("uchar")
    logo = logo.extract_band(0, n=3).bandjoin(alpha)
    pad = max(4, round(min(image.width, image.height) * 0.03))
    x = pad if mark.corner.endswith("left") else image.width - logo.width - pad
    y = pad if mark.corner.startswith("top") else image.height - logo.height - pad
    out = image.composite2(logo, "over", x=max(0, x), y=max(0, y))
    return out.extract_band(0, n=3).cast("uchar")


def _encode(image, spec: ExportFormat) -> bytes:
    if spec.file_format == "jpeg":
        return image.jpegsave_buffer(Q=spec.quality, optimize_coding=True, interlace=True, keep="none",
                                     subsample_mode="on")  # 4:2:0 as sharp does
    if spec.file_format == "webp":
        # Quality 100 marks the lossless formats (original, print); WebP's own lossless mode keeps them so.
        # Effort 2 of 0..6: measured 2.5× faster than the default 4 at the same size (lossy and lossless).
        return image.webpsave_buffer(Q=spec.quality, lossless=spec.quality >= 100, effort=WEBP_EFFORT, keep="none")
    if spec.dpi:
        ppmm = spec.dpi / _MM_PER_INCH
        image = image.copy(xres=ppmm, yres=ppmm)
    return image.pngsave_buffer(compression=PNG_COMPRESSION, filter=PNG_FILTER, keep="none")


def render(src: SourceImage, spec: ExportFormat, *, subject=None, watermark: Watermark | None = None) -> ExportedImage:
    """One format of one decoded image."""
    if spec.width and spec.height:
        left, top, w, h = cover_window(src_w=src.width, src_h=src.height, dst_w=spec.width, dst_h=spec.height,
                                       subject=subject)
        image = _resized(_framed(src, left, top, w, h), spec.width, spec.height)
    else:
        image = src.image
    if watermark is not None:
        image = _watermarked(image, watermark)
    return ExportedImage(spec=spec, data=_encode(image, spec), width=int(image.width), height=int(image.height))


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2), thread_name_prefix="export")
        return _POOL


def _render_or_record(src: SourceImage, spec: ExportFormat, *, subject, watermark, failed):
    """render(); with a ``failed`` dict, a failure is recorded there (by format name) instead of raised."""
    try:
        return render(src, spec, subject=subject, watermark=watermark)
    except Exception as exc:
        if failed is None:
            if isinstance(exc, ExportError):
                raise
            raise ExportError(f"{spec.display_name} could not be encoded.") from exc
        logger.warning("export format %s failed", spec.name, exc_info=True)
        failed[spec.name] = str(exc) if isinstance(exc, ExportError) else f"{spec.display_name} could not be encoded."
        return None


def export_image(*, data: bytes, formats: Iterable[ExportFormat], subject=None,
                 watermark: Watermark | None = None, failed: dict[str, str] | None = None) -> dict[str, ExportedImage]:
    """Every requested format of one image, keyed by format name. Raises ExportError.

    With ``failed`` (a dict), a format that cannot be made is left out of the result and its message put
    in ``failed[format]``; only an unreadable source still raises (no format could be made from it).
    """
    src = SourceImage(data)
    specs = list(dict.fromkeys(formats))
    futures = {spec.name: _pool().submit(_render_or_record, src, spec, subject=subject, watermark=watermark,
                                         failed=failed) for spec in specs}
    done = {name: future.result() for name, future in futures.items()}
    return {name: image for name, image in done.items() if image is not None}


def export_many(*, sources: Iterable[tuple[str, bytes]], formats: Iterable[ExportFormat], subjects=None,
                find_subject: Callable[[bytes], tuple | None] | None = None, watermark: Watermark | None = None,
                failed: dict[str, dict[str, str]] | None = None,
                ahead: int = 2) -> Iterator[tuple[str, dict[str, ExportedImage]]]:
    """Export a stream of (name, bytes) images, yielding (name, {format: ExportedImage}) in order.

    Up to ``ahead`` images are in flight at once (decode of the next overlaps the encodes of this one),
    so memory stays bounded however many images there are. The subject box of an image comes from
    ``subjects[name]``, else from ``find_subject(data)`` run on the pool with the decode. With ``failed``,
    failing formats are recorded as ``failed[name][format]`` and the rest delivered (see export_image).
    """
    specs = list(dict.fromkeys(formats))
    pool = _pool()
    subjects = subjects or {}
    pending: list[tuple[str, Future]] = []

    def start(name: str, data: bytes) -> Future:
        def decode_and_fan_out() -> dict[str, Future]:
            src = SourceImage(data)
            subject = subjects.get(name)
            if subject is None and find_subject is not None:
                subject = find_subject(data)
            record = None if failed is None else failed.setdefault(name, {})
            return {s.name: pool.submit(_render_or_record, src, s, subject=subject, watermark=watermark,
                                        failed=record) for s in specs}
        return pool.submit(decode_and_fan_out)

    def finish(name: str, future: Future) -> tuple[str, dict[str, ExportedImage]]:
        fanned = future.result()
        done = {fmt: f.result() for fmt, f in fanned.items()}
        if failed is not None and not failed.get(name):
            failed.pop(name, None)
        return name, {fmt: image for fmt, image in done.items() if image is not None}

    for name, data in sources:
        pending.append((name, start(name, data)))
        if len(pending) > ahead:
            yield finish(*pending.pop(0))
    while pending:
        yield finish(*pending.pop(0))
