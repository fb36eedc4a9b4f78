"""python manage.py posegen_export: the same export code over a folder."""

import io

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from tests.images import image_bytes


def test_exports_a_folder(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.png").write_bytes(image_bytes(width=200, height=300))
    (src / "b.jpg").write_bytes(image_bytes(width=300, height=200, fmt="JPEG"))
    (src / "notes.txt").write_text("skip me")
    out = tmp_path / "out"
    stdout = io.StringIO()
    call_command("posegen_export", str(src), "--formats", "tiktok,custom:100x64", "--out", str(out),
                 "--subject", "center", stdout=stdout)
    assert sorted(p.name for p in out.iterdir()) == ["a_custom-100x64.jpg", "a_tiktok.jpg", "b_custom-100x64.jpg",
                                                     "b_tiktok.jpg"]
    assert Image.open(out / "a_tiktok.jpg").size == (1080, 1920)
    assert "2 image(s), 4 file(s)" in stdout.getvalue()


def test_all_formats_and_bad_input(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.png").write_bytes(image_bytes())
    call_command("posegen_export", str(src), "--formats", "all", "--out", str(tmp_path / "o"), "--subject", "center",
                 stdout=io.StringIO())
    assert len(list((tmp_path / "o").iterdir())) == 24  # spec 000's 13 and 11 WebP twins
    with pytest.raises(CommandError):
        call_command("posegen_export", str(src), "--formats", "poster", "--out", str(tmp_path / "o"))
    with pytest.raises(CommandError):
        call_command("posegen_export", str(tmp_path / "missing"), "--out", str(tmp_path / "o"))


def test_a_failing_format_writes_the_others_and_exits_1(tmp_path, monkeypatch):
    from posegen.imaging import export as export_module

    real = export_module._encode

    def encode(image, spec):
        if spec.name == "tiktok":
            raise export_module.ExportError("encoder exploded")
        return real(image, spec)

    monkeypatch.setattr(export_module, "_encode", encode)
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.png").write_bytes(image_bytes(width=200, height=300))
    out, stderr = tmp_path / "out", io.StringIO()
    with pytest.raises(CommandError, match="1 file"):
        call_command("posegen_export", str(src), "--formats", "tiktok,instagram_feed_webp", "--out", str(out),
                     "--subject", "center", stdout=io.StringIO(), stderr=stderr)
    assert sorted(p.name for p in out.iterdir()) == ["a_instagram_feed_webp.webp"]
    assert "a.png: tiktok failed: encoder exploded" in stderr.getvalue()
