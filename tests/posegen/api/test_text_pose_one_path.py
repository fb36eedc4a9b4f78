"""One text-to-pose path: every description the preview draws, ``POST /generate`` accepts, and the
generation stores the very pose the preview showed (Bahasa Indonesia and English alike). What the
preview refuses, generation refuses before any charge, with example phrases in the reader's language.
"""

from __future__ import annotations

import pytest

from lumiku.credits.selectors import credits_balance
from posegen.models import PoseGeneration
from posegen.posekit.text_to_pose import EXAMPLE_PHRASES
from posegen.posekit.text_to_pose_id import EXAMPLE_PHRASES_ID
from posegen.services.validation import SUGGESTED_POSE_KEYWORDS, SUGGESTED_POSE_KEYWORDS_ID
from tests.factories import ProjectFactory
from tests.posegen.pipeline_helpers import GENERATE_URL, fund

pytestmark = pytest.mark.django_db

PREVIEW_URL = "/api/apps/pose-generator/library/text-to-pose"

# The sentence, the way sellers say it (colloquial forms included), and every phrase the
# product suggests: the refusal's examples and the wizard's chips in both languages.
PHRASES = [
    "berdiri dengan tangan di pinggang",
    "berkacak pinggang, tampak samping",
    "tangan di saku, menoleh ke kiri",
    "pegang tas di dada",
    "pegang botol dekat wajah",
    "selfie cermin",
    "jalan-jalan sambil menoleh",
    "duduk di kursi, kaki disilangkan, tangan di dagu",
    "nyender di tembok, bersedekap",
    "jongkok, lihat ke atas",
    "rebahan miring",
    "Berdiri  dengan <b>tangan</b> di pinggang",  # markup and doubled spaces are cleaned the same way
    *EXAMPLE_PHRASES, *EXAMPLE_PHRASES_ID, *SUGGESTED_POSE_KEYWORDS, *SUGGESTED_POSE_KEYWORDS_ID,
]


@pytest.fixture
def project(auth_client):
    fund(auth_client.user, 100_000)
    return ProjectFactory(user=auth_client.user)


@pytest.mark.parametrize("phrase", PHRASES)
def test_every_phrase_the_preview_accepts_generates_the_same_pose(auth_client, project, phrase):
    preview = auth_client.post(PREVIEW_URL, {"textPrompt": phrase}, format="json")
    assert preview.status_code == 200, preview.content
    body = {"projectId": str(project.pk), "generationType": "TEXT_DESCRIPTION", "textPrompt": phrase,
            "variationCount": 1}
    response = auth_client.post(GENERATE_URL, body, format="json")
    assert response.status_code == 202, response.content
    stored = PoseGeneration.objects.get(pk=response.json()["generationId"]).generated_pose_structure
    assert stored["pose"] == preview.json()["poseStructure"]
    assert stored["understood"] == preview.json()["understood"]


@pytest.mark.parametrize(("language", "examples"), [("en", EXAMPLE_PHRASES), ("id", EXAMPLE_PHRASES_ID)])
def test_what_the_preview_refuses_generation_refuses_uncharged_with_examples_in_the_readers_language(
        auth_client, project, language, examples):
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    preview = auth_client.post(PREVIEW_URL, {"textPrompt": "a bowl of fruit"}, format="json", **headers)
    assert preview.status_code == 400 and preview.json()["error"]["code"] == "PROMPT_NOT_UNDERSTOOD"
    assert preview.json()["error"]["examples"] == list(examples)
    body = {"projectId": str(project.pk), "generationType": "TEXT_DESCRIPTION", "textPrompt": "a bowl of fruit"}
    refused = auth_client.post(GENERATE_URL, body, format="json", **headers)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "PROMPT_NOT_POSE_RELATED" and error["suggestions"] == list(examples)
    assert f"“{examples[0]}”" in error["message"]
    assert error["message"].startswith("Kami tidak menemukan pose" if language == "id" else "We could not find a pose")
    assert PoseGeneration.objects.count() == 0 and credits_balance(user_id=auth_client.user.pk) == 100_000
