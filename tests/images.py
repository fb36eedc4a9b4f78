"""Image bytes for tests: real encodes from Pillow, and hand-made hostile files."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def image_bytes(*, width: int = 64, height: int = 96, color=(200, 120, 80), fmt: str = "PNG", exif=None) -> bytes:
    img = Image.new("RGB", (width, height), color)
    # A second colour block makes orientation observable.
    for x in range(width // 2):
        for y in range(height // 4):
            img.putpixel((x, y), (10, 20, 30))
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    img.save(out, fmt, **kwargs)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(*, width: int = 30_000, height: int = 30_000) -> bytes:
    """A tiny PNG that declares a huge canvas (a decompression bomb)."""
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    body = _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    return b"\x89PNG\r\n\x1a\n" + header + body + _chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    data = image_bytes(width=256, height=256, fmt="JPEG")
    return data[: len(data) // 2]


def upload(name: str, content: bytes, content_type: str = "image/png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)
