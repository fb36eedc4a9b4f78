"""Where tests find their files: the repository, its committed fixtures, and the shared test data
(beside the clone; tests that need it skip when it is absent)."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
FIXTURE_IMAGES = FIXTURES / "images"
TESTDATA = REPO.parent / "shared" / "testdata"
