"""The landing page shows the product honestly: the operator's before/after pairs when there are any
(LANDING_SHOWCASE_DIR), otherwise seller poses from the library (never ballet, fitness, jumping or
lying), named in the visitor's language; no 'ready-to-post' promise."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from posegen.models import PoseLibrary
from tests.factories import CategoryFactory, PoseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    seller = CategoryFactory(slug="standing-confident", name="Confident")
    ballet = CategoryFactory(slug="dance-ballet", name="Ballet")
    hips = PoseFactory(category=seller, name="Confident hands on hips, front", thumbnail="library/hips.webp")
    PoseFactory(category=seller, name="Confident arms crossed, front")  # no picture: not shown
    arabesque = PoseFactory(category=ballet, name="Arabesque, front", thumbnail="library/arabesque.webp")
    PoseLibrary.objects.filter(pk=arabesque.pk).update(is_featured=True, usage_count=99, popularity_score=99)
    return hips


def test_without_a_showcase_the_landing_shows_seller_poses_in_the_visitors_language(client, library):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert 'data-testid="landing-poses"' in html and 'data-testid="landing-showcase"' not in html
    assert 'alt="Berkacak pinggang penuh percaya diri, depan"' in html
    assert "arabesque" not in html.lower() and "hips.webp" in html
    assert "ready-to-post" not in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_operators_before_after_pairs_replace_the_mannequins(client, library, settings):
    settings.LANDING_SHOWCASE_DIR = "showcase-test"
    names = ["batik-dress-before.jpg", "batik-dress-after.jpg", "lonely-before.png", "notes.txt"]
    for name in names:
        default_storage.save(f"showcase-test/{name}", ContentFile(b"x"))
    try:
        html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    finally:
        for name in names:
            default_storage.delete(f"showcase-test/{name}")
    assert 'data-testid="landing-showcase"' in html and 'data-testid="landing-poses"' not in html
    assert "showcase-test/batik-dress-before.jpg" in html and "showcase-test/batik-dress-after.jpg" in html
    assert 'alt="batik dress: the result"' in html
    assert "lonely" not in html  # half a pair is not a before/after
