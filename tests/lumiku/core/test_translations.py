"""The Bahasa Indonesia catalogue (locale/id): complete, placeholder-safe, compiled, and actually served.

A developer who adds a user-facing string and does not translate it gets a failing test naming the
string and where it comes from; the fix is in the README (makemessages, translate, compilemessages)."""

from __future__ import annotations

import ast
import gettext
import hashlib
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.paths import REPO

PO_PATH = REPO / "locale" / "id" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
# The --ignore list of the extraction command the catalogue is made with:
# manage.py makemessages -l id --ignore=.venv --ignore=bench --ignore=tests --ignore=artifacts
#   --ignore=var --ignore=staticfiles --no-obsolete
EXTRACTION_IGNORES = [".venv", "bench", "tests", "artifacts", "var", "staticfiles"]
EXTRACTED_SUFFIXES = {".py", ".html", ".txt"}  # what makemessages reads for the "django" domain

# A python-format placeholder (%(name)s, %(n)d, %s, %d; "%%" is a literal percent), a brace field, HTML.
PERCENT_FIELD = re.compile(r"%%|%(?:\(\w+\))?[-#0+]*\d*(?:\.\d+)?[sdifrxXeEgGc]")
BRACE_FIELD = re.compile(r"\{\w*\}")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
HTML_ENTITY = re.compile(r"&(?:\w+|#\d+);")

# The glossary at the top of the .po, enforced: an English term in a msgid needs its Indonesian word
# in the msgstr (matched case-insensitively, as a stem: "unggah" covers "diunggah", "unggahan").
GLOSSARY = {
    r"\bcredits?\b": "kredit",
    r"\bposes?\b": "pose",
    r"\bprojects?\b": "proyek",
    r"\bbackgrounds?\b": "latar",
    r"\btray\b": "keranjang",
    r"\blibrary\b": "pustaka",
    r"\bvot(?:e|es|ed|ing)\b": "dukung",
    r"\bdownload": "unduh",
    r"\bupload": "unggah",
}
# API field names and enum values stay as they are in API error texts (backgroundImage, UPLOAD, POSE_FROM_PHOTO).
API_IDENTIFIER = re.compile(r"\b[a-z]+[A-Z]\w*|\b[A-Z][A-Z_]{2,}\b")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def where(self) -> str:
        return " ".join(self.references) or "(no source reference)"

    def __str__(self) -> str:
        return f"{self.msgid!r} [{self.where}]"


def parse_po(path: Path) -> tuple[Entry, list[Entry]]:
    """A tiny PO reader: the header entry and every other entry, obsolete ones (#~) flagged."""
    entries: list[Entry] = []
    entry, target = Entry(), None

    def flush():
        nonlocal entry, target
        if target is not None or entry.obsolete:
            entries.append(entry)
        entry, target = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#~"):
            entry.obsolete = True
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#:"):
            entry.references.extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(entry, target, ast.literal_eval(line))
        else:
            keyword, _, literal = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and entry.msgstr:
                flush()
            target = keyword
            _append(entry, target, ast.literal_eval(literal), start=True)
    flush()
    header = next(e for e in entries if e.key == (None, ""))
    return header, [e for e in entries if e is not header]


def _append(entry: Entry, target: str, text: str, start: bool = False) -> None:
    plural_form = re.fullmatch(r"msgstr\[(\d+)\]", target)
    if plural_form or target == "msgstr":
        index = int(plural_form.group(1)) if plural_form else 0
        entry.msgstr[index] = ("" if start else entry.msgstr[index]) + text
    else:
        setattr(entry, target, ("" if start else getattr(entry, target)) + text)


def _shape(text: str, python_format: bool) -> dict:
    """What a translation must keep from its msgid."""
    fields = Counter(m for m in PERCENT_FIELD.findall(text) if m != "%%") if python_format else Counter()
    return {
        "placeholders": fields + Counter(BRACE_FIELD.findall(text)),
        "html tags": Counter(HTML_TAG.findall(text)),
        "html entities": Counter(HTML_ENTITY.findall(text)),
        "leading whitespace": text[: len(text) - len(text.lstrip())],
        "trailing whitespace": text[len(text.rstrip()):],
        "newlines": text.count("\n"),
    }


@pytest.fixture(scope="module")
def catalogue() -> tuple[Entry, list[Entry]]:
    return parse_po(PO_PATH)


def _nplurals(header: Entry) -> int:
    return int(re.search(r"nplurals=(\d+);", header.msgstr[0]).group(1))


def test_every_entry_is_translated_and_not_fuzzy(catalogue):
    header, entries = catalogue
    assert "Language: id\n" in header.msgstr[0]
    assert _nplurals(header) == 1
    # The parser saw every entry: an independent count of msgid lines, less the header's.
    assert len(entries) == PO_PATH.read_text(encoding="utf-8").count('\nmsgid "') - 1
    assert len(entries) > 500

    plural_forms = set(range(_nplurals(header)))
    problems = []
    for entry in entries:
        expected_forms = plural_forms if entry.msgid_plural is not None else {0}
        if entry.obsolete:
            problems.append(f"obsolete: {entry}")
        elif "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry}")
        elif set(entry.msgstr) != expected_forms:
            problems.append(f"msgstr forms {sorted(entry.msgstr)} instead of {sorted(expected_forms)}: {entry}")
        elif not all(entry.msgstr.values()):
            problems.append(f"untranslated: {entry}")
    assert problems == []


def test_translations_keep_placeholders_markup_and_spacing(catalogue):
    _, entries = catalogue
    problems = []
    for entry in entries:
        python_format = "python-format" in entry.flags
        # With one plural form, msgstr[0] stands for every count, so it follows msgid_plural.
        source = entry.msgid_plural if entry.msgid_plural is not None else entry.msgid
        if entry.msgid_plural is not None:
            assert set(_shape(entry.msgid, python_format)["placeholders"]) <= set(
                _shape(entry.msgid_plural, python_format)["placeholders"]), entry
        expected = _shape(source, python_format)
        for form, text in entry.msgstr.items():
            got = _shape(text, python_format)
            problems += [f"{name} {got[name]!r} != {expected[name]!r} in msgstr[{form}] of {entry}"
                         for name in expected if got[name] != expected[name]]
    assert problems == []


def test_glossary_terms_are_translated_consistently(catalogue):
    _, entries = catalogue
    problems = []
    for entry in entries:
        source = f"{entry.msgid} {entry.msgid_plural or ''}".replace("Pose Generator", "")
        source = API_IDENTIFIER.sub("", source)
        for term, word in GLOSSARY.items():
            if re.search(term, source, re.IGNORECASE):
                problems += [f"{word!r} missing from msgstr[{form}] {text!r} of {entry}"
                             for form, text in entry.msgstr.items() if word not in text.lower()]
        # One verb for "generate": "buat".
        problems += [f"'hasilkan' instead of 'buat' in {entry}" for text in entry.msgstr.values()
                     if "hasilkan" in text.lower()]
    assert problems == []


class _Missing(gettext.NullTranslations):
    """Fallback that makes an entry absent from the .mo visible, even where msgstr equals msgid."""

    def gettext(self, message):
        return "<missing from django.mo>"

    def ngettext(self, msgid1, msgid2, n):
        return "<missing from django.mo>"

    def pgettext(self, context, message):
        return "<missing from django.mo>"

    def npgettext(self, context, msgid1, msgid2, n):
        return "<missing from django.mo>"


def test_compiled_mo_matches_the_po(catalogue):
    _, entries = catalogue
    with MO_PATH.open("rb") as handle:
        mo = gettext.GNUTranslations(handle)
    mo.add_fallback(_Missing())
    assert mo.info()["language"] == "id"
    assert mo.info()["plural-forms"] == "nplurals=1; plural=0;"

    stale = []
    for entry in entries:
        if entry.msgid_plural is None:
            got = mo.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else mo.gettext(entry.msgid)
            if got != entry.msgstr[0]:
                stale.append(f"{got!r} != {entry.msgstr[0]!r} for {entry}")
            continue
        for n in (0, 1, 2, 5, 21):
            args = (entry.msgid, entry.msgid_plural, n)
            got = mo.npgettext(entry.msgctxt, *args) if entry.msgctxt else mo.ngettext(*args)
            if got != entry.msgstr[mo.plural(n)]:
                stale.append(f"n={n}: {got!r} != {entry.msgstr[mo.plural(n)]!r} for {entry}")
    assert stale == [], "django.mo is stale: run `manage.py compilemessages -l id --ignore=.venv`"


def _copy_extractable_tree(destination: Path) -> None:
    """The repository as makemessages sees it (sources it reads, and locale/), so that the extraction
    runs on a copy and never writes into the checkout. Ignored folders are left to makemessages itself."""

    def skip(directory: str, names: list[str]) -> list[str]:
        here = Path(directory)
        in_locale = here == REPO / "locale" or REPO / "locale" in here.parents
        return [name for name in names
                if name.startswith(".") or name == "__pycache__"
                or (here == REPO and name in {"media", "var", "staticfiles", "artifacts"})
                or (not in_locale and (here / name).is_file() and Path(name).suffix not in EXTRACTED_SUFFIXES)]

    shutil.copytree(REPO, destination, ignore=skip, symlinks=True)


@pytest.mark.slow
def test_catalogue_holds_every_string_the_code_marks_for_translation(catalogue, tmp_path, settings, monkeypatch):
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("GNU gettext (xgettext) is required in CI to check the catalogue")
        pytest.skip("GNU gettext (xgettext) is not installed")
    _, entries = catalogue
    checkout_po = hashlib.sha256(PO_PATH.read_bytes()).hexdigest()
    work = tmp_path / "repo"
    _copy_extractable_tree(work)
    settings.LOCALE_PATHS = [str(work / "locale")]
    monkeypatch.chdir(work)

    call_command("makemessages", locale=["id"], ignore_patterns=EXTRACTION_IGNORES, no_obsolete=True,
                 keep_pot=True, verbosity=0)

    _, extracted = parse_po(work / "locale" / "django.pot")
    assert len(extracted) > 500  # the extraction found the app's strings, not an empty tree
    committed = {entry.key for entry in entries}
    missing = [str(entry) for entry in extracted if entry.key not in committed]
    assert missing == [], (
        f"{len(missing)} string(s) are not in locale/id/LC_MESSAGES/django.po; run makemessages "
        f"(see the README), translate them and run compilemessages:\n" + "\n".join(missing))
    # Plural entries must be plural in the catalogue too, or ngettext would miss them.
    committed_plurals = {entry.key: entry.msgid_plural for entry in entries}
    assert [str(e) for e in extracted if committed_plurals[e.key] != e.msgid_plural] == []
    assert hashlib.sha256(PO_PATH.read_bytes()).hexdigest() == checkout_po


@pytest.mark.django_db
def test_login_page_is_served_in_indonesian_with_the_language_cookie(client, settings):
    english = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in english and "Forgot password?" in english

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Language"] == "id"
    assert '<html lang="id">' in html
    # Template strings and form labels from Python (lazy gettext) both come out in Indonesian.
    assert "Lupa kata sandi?" in html and "Kata sandi" in html and "Buat akun" in html
    assert "Forgot password?" not in html and ">Password<" not in html


@pytest.mark.django_db
def test_signed_in_user_who_chose_indonesian_gets_it_without_a_cookie(client, user):
    user.language = "id"
    user.save(update_fields=["language"])
    client.force_login(user)
    html = client.get("/projects/").content.decode()
    assert '<html lang="id">' in html
    assert ">Dasbor</a>" in html and ">Pustaka pose</a>" in html and ">Keluar</button>" in html
    assert ">Dashboard</a>" not in html
