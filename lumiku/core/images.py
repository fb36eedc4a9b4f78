"""Safe loading of uploaded images: decided by content, bounded, re-encoded without metadata."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from lumiku.core.errors import ValidationFailed

ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
ImageFile.LOAD_TRUNCATED_IMAGES = False


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    format: str
    mime_type: str
    width: int
    height: int


class ImageRejected(ValidationFailed):
    code = "INVALID_IMAGE"


def _too_large(max_bytes: int) -> ImageRejected:
    return ImageRejected(_("The image is larger than %(megabytes)s MB.") % {"megabytes": max_bytes // (1024 * 1024)},
                         code="IMAGE_TOO_LARGE")


def _read_limited(upload, max_bytes: int) -> bytes:
    if hasattr(upload, "size") and upload.size is not None and upload.size > max_bytes:
        raise _too_large(max_bytes)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes + 1) if hasattr(upload, "read") else bytes(upload)
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    if not data:
        raise ImageRejected(_("The uploaded file is empty."))
    return data


def image_clean_upload(*, upload, field: str = "image") -> CleanImage:
    """Validate an uploaded image by its content and return it re-encoded (EXIF applied, metadata gone).

    Rejects non-images, formats outside JPEG/PNG/WebP whatever the file name says, truncated files,
    decompression bombs (pixel count over the limit) and oversize files — with a 400 naming `field`.
    """
    max_bytes = settings.UPLOAD_MAX_BYTES
    max_pixels = settings.UPLOAD_MAX_PIXELS
    data = _read_limited(upload, max_bytes)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                width, height = probe.size
                if fmt not in ALLOWED_FORMATS:
                    raise ImageRejected(_("%(field)s: unsupported image type; use JPEG, PNG or WebP.")
                                        % {"field": field}, code="UNSUPPORTED_IMAGE_TYPE")
                if width * height > max_pixels or max(width, height) > settings.UPLOAD_MAX_SIDE:
                    raise ImageRejected(_("%(field)s: the image is too large (%(width)s×%(height)s pixels).")
                                        % {"field": field, "width": width, "height": height}, code="IMAGE_TOO_LARGE")
                probe.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                img = ImageOps.exif_transpose(img)
                return _reencode(img, fmt)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(_("%(field)s: the image is too large to process.") % {"field": field},
                            code="IMAGE_TOO_LARGE") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ImageRejected(_("%(field)s: the file is not a valid image.") % {"field": field}) from None


_SIXTEEN_BIT_GREY = ("I;16", "I;16L", "I;16B", "I;16N", "I")


def image_to_8bit(img: Image.Image) -> Image.Image:
    """Any decoded mode as RGB, RGBA, L or LA with the same look. Pillow's own convert() clips 16-bit
    grey (0-65535) to 255, which stored such PNGs as blank white; palettes keep their transparency."""
    if img.mode in _SIXTEEN_BIT_GREY:
        return img.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if img.mode == "F":
        return img.convert("L")
    if img.mode in ("P", "PA"):
        return img.convert("RGBA" if img.mode == "PA" or "transparency" in img.info else "RGB")
    if img.mode in ("1",):
        return img.convert("L")
    if img.mode in ("RGB", "RGBA", "L", "LA"):
        return img
    # CMYK (print JPEGs; Pillow undoes Adobe's inverted CMYK on load), YCbCr, LAB, RGBa, La, RGBX...
    return img.convert("RGBA" if img.has_transparency_data else "RGB")


def _reencode(img: Image.Image, fmt: str) -> CleanImage:
    out = io.BytesIO()
    img = image_to_8bit(img)
    if fmt == "JPEG":
        img = img.convert("RGB")
        img.save(out, "JPEG", quality=92, optimize=True)
    elif fmt == "PNG":
        img.save(out, "PNG", optimize=False)
    else:
        if img.mode not in ("RGB", "RGBA"):
            img = img.convert("RGBA" if img.mode == "LA" else "RGB")
        img.save(out, "WEBP", quality=92)
    return CleanImage(
        content=out.getvalue(), format=fmt, mime_type=ALLOWED_FORMATS[fmt], width=img.width, height=img.height
    )
