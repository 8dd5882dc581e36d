"""Chinese first, English complete: every UI string is in the English catalogue, translated and compiled."""

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
SKIP_DIRS = {".venv", "tests", "bench", "migrations", "engine", "node_modules", "staticfiles"}
PY_STRING = re.compile(r"""\b_\(\s*"((?:[^"\\]|\\.)*)"\s*[,)]""")
TEMPLATE_STRING = re.compile(r"""{%\s*translate\s+"([^"]*)"(?:\s+as\s+\w+)?\s*%}""")


def _catalogue() -> dict[str, tuple[str, bool]]:
    """msgid → (msgstr, fuzzy) for the singular entries of the .po file."""
    entries: dict[str, tuple[str, bool]] = {}
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        fuzzy = "#, fuzzy" in block or ", fuzzy" in block
        parts = re.findall(r'^(msgid|msgstr|msgctxt|msgid_plural|msgstr\[\d\])\s+((?:".*"\n?)+)', block + "\n", re.M)
        fields = {key: "".join(re.findall(r'"(.*)"', value)) for key, value in parts}
        if fields.get("msgid"):
            entries[fields["msgid"]] = (fields.get("msgstr") or fields.get("msgstr[0]", ""), fuzzy)
    return entries


def _sources():
    for path in ROOT.rglob("*"):
        if path.suffix in {".py", ".html"} and not SKIP_DIRS & set(path.relative_to(ROOT).parts):
            yield path


def test_every_english_entry_is_translated_and_not_fuzzy():
    missing = [msgid for msgid, (msgstr, fuzzy) in _catalogue().items() if not msgstr or fuzzy]
    assert not missing, f"{len(missing)} untranslated: {missing[:10]}"


def test_every_marked_string_is_in_the_catalogue():
    catalogue = _catalogue()
    absent = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            found = PY_STRING.findall(text)
        else:  # makemessages doubles a template string's % (it becomes a python-format msgid), so must we
            found = [s.replace("%", "%%") for s in TEMPLATE_STRING.findall(text)]
        absent += [f"{path.relative_to(ROOT)}: {s}" for s in found if s and s not in catalogue]
    assert not absent, "run `make messages`; missing: " + "; ".join(absent[:10])


def test_the_compiled_catalogue_is_loaded():
    with translation.override("en"):
        assert gettext("统一社会信用代码") != "统一社会信用代码"
    with translation.override("zh-hans"):
        assert gettext("统一社会信用代码") == "统一社会信用代码"
