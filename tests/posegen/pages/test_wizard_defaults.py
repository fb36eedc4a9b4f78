"""A first text or photo generation asks for one photo, not four: the wizard's photo count starts at 1
(a seller trying the product pays for one image, and can raise it)."""

import re

import pytest

from tests.factories import ProjectFactory
from tests.posegen.pages.helpers import signed_in

pytestmark = pytest.mark.django_db


def test_text_and_photo_modes_start_at_one_photo(client, user):
    web = signed_in(client, user)
    project = ProjectFactory(user=user)
    html = web.get(f"/projects/{project.pk}/generate/").content.decode()
    field = re.search(r'<input[^>]*name="variation_count"[^>]*>', html).group(0)
    assert 'value="1"' in field
