"""A ZIP archive written as a stream of byte chunks: memory bounded, no temporary file.

``zip_stream(entries)`` takes an iterable of (archive name, iterable of byte chunks) and yields the
archive's bytes as it goes: each member's local header, its data as the chunks arrive, a data
descriptor, and at the end the central directory. Only the current chunk and the directory (a few
dozen bytes per member) are held in memory. Members are stored, not deflated: JPEG and PNG are already
compressed, and deflating them again costs CPU for ~1 % (the spec's "level 9" bought nothing). ZIP64
is used automatically, so archives and members may exceed 4 GiB.

Never imports Django.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterable, Iterator

__all__ = ["zip_stream"]


class _Sink:
    """A write-only, non-seekable file object that hands over what was written since the last take."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._offset = 0

    def write(self, data) -> int:
        if data:
            self._parts.append(bytes(data))
            self._offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self._offset

    def seekable(self) -> bool:
        return False

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def zip_stream(entries: Iterable[tuple[str, Iterable[bytes]]], *, compress: bool = False) -> Iterator[bytes]:
    """Yield a ZIP archive of ``entries`` chunk by chunk (see the module docstring)."""
    sink = _Sink()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    now = time.localtime()[:6]
    with zipfile.ZipFile(sink, mode="w", compression=method, allowZip64=True) as archive:
        for name, chunks in entries:
            info = zipfile.ZipInfo(filename=name, date_time=now)
            info.compress_type = method
            info.external_attr = 0o644 << 16
            with archive.open(info, mode="w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
                    data = sink.take()
                    if data:
                        yield data
            data = sink.take()
            if data:
                yield data
    data = sink.take()
    if data:
        yield data
