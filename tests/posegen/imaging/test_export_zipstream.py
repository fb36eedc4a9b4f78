"""posegen.imaging.zipstream: a valid archive, built chunk by chunk, memory bounded."""

import io
import zipfile

from posegen.imaging.zipstream import zip_stream


def test_archive_is_valid_and_streamed_in_small_chunks():
    chunk = b"\x89" * 65536
    produced = 0

    def member(n):
        nonlocal produced
        for _ in range(n):
            produced += 1
            yield chunk

    sizes = []
    pieces = []
    seen_before_end = None
    for i, piece in enumerate(zip_stream([("big.png", member(300)), ("small_1_tiktok.jpg", iter([b"abc"]))])):
        sizes.append(len(piece))
        pieces.append(piece)
        if i == 5:
            seen_before_end = produced  # the archive started flowing long before the data was all made
    data = b"".join(pieces)
    assert seen_before_end is not None and seen_before_end < 20
    assert max(sizes) <= 65536 + 512  # never more than one chunk plus a header at a time
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    assert archive.namelist() == ["big.png", "small_1_tiktok.jpg"]
    assert len(archive.read("big.png")) == 300 * 65536
    assert archive.read("small_1_tiktok.jpg") == b"abc"
    assert archive.getinfo("big.png").compress_type == zipfile.ZIP_STORED


def test_empty_archive_is_valid():
    data = b"".join(zip_stream([]))
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == []
