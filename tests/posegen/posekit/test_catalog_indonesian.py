"""The studio catalogue in Bahasa Indonesia: every pose name, description and tag and every category
has its Indonesian form (nothing falls back to English but proper nouns), and what a seller reads on
an Indonesian page is what they can search for."""

from __future__ import annotations

import re

import pytest

from posegen.posekit.catalog import CATEGORIES, build_catalog
from posegen.posekit.catalog.indonesian import (
    category_text_id,
    pose_description_id,
    pose_description_untranslated,
    pose_name_id,
    pose_name_untranslated,
    pose_tag_id,
    pose_tag_translated,
)
from posegen.posekit.search_terms import search_plan

# English words that would give away an untranslated phrase on an Indonesian page.
_ENGLISH = re.compile(r"\b(hands?|arms?|left|right|standing|sitting|walking|looking|holding|with|the|on|of|"
                      r"seen|good for|view)\b", re.I)


def test_every_pose_name_description_and_tag_has_an_indonesian_form():
    catalog = build_catalog()
    for pose in catalog.poses:
        assert pose_name_untranslated(pose.name) == [], pose.name
        assert pose_description_untranslated(pose.description) == [], pose.description
        assert [t for t in pose.tags if not pose_tag_translated(t)] == [], pose.name
        name, description = pose_name_id(pose.name), pose_description_id(pose.description)
        assert not _ENGLISH.search(name), name
        assert not _ENGLISH.search(description), description
        assert name[0].isupper() and description.endswith(".")


def test_every_category_has_an_indonesian_name_and_description():
    for category in CATEGORIES:
        text = category_text_id(category.slug)
        assert text is not None, category.slug
        name, description = text
        assert name and description.endswith(".") and not _ENGLISH.search(description), category.slug


@pytest.mark.parametrize(("english", "indonesian"), [
    ("Confident right hand on hip, wide stance, 3/4 left",
     "Tangan kanan di pinggang penuh percaya diri, kaki terbuka lebar, 3/4 kiri"),
    ("Hands on hips, back view", "Berkacak pinggang, tampak belakang"),
    ("Waving (left hand), weight on one leg, front", "Melambai (tangan kiri), bertumpu pada satu kaki, depan"),
    ("Left forearm on knee, crouching, front", "Lengan bawah kiri di lutut, jongkok, depan"),
    ("Tree pose, arms overhead, profile left", "Pose pohon (vrksasana), lengan di atas kepala, samping kiri"),
])
def test_names_are_translated_phrase_by_phrase_with_sides_and_prefixes(english, indonesian):
    assert pose_name_id(english) == indonesian


def test_a_description_keeps_its_sentences():
    assert pose_description_id("Standing, hands on hips. Seen from the front. Good for brand and campaign visuals.") \
        == "Berdiri, berkacak pinggang. Tampak depan. Cocok untuk visual merek dan kampanye."


def test_unknown_text_stays_as_written_and_proper_noun_tags_stay():
    assert pose_name_id("Grandma's favourite, front") == "Grandma's favourite, depan"
    assert pose_name_untranslated("Grandma's favourite, front") == ["Grandma's favourite"]
    assert pose_tag_id("hand on hip") == "tangan di pinggang"
    assert pose_tag_id("shopee") == "shopee" and pose_tag_translated("shopee")


@pytest.mark.parametrize(("indonesian", "english"), [
    ("kedua lengan terangkat", "arms raised"), ("pose pohon", "tree pose"), ("merapikan kerah", "adjusting the collar"),
    ("lompat bintang", "star jump"),
])
def test_the_indonesian_wording_on_the_page_can_be_searched(indonesian, english):
    (group,) = search_plan(text=indonesian).groups
    assert english in group
