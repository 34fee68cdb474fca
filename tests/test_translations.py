"""The Chinese catalogue is complete and the committed .mo matches the .po."""

import gettext
from pathlib import Path

import polib
from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_message_has_a_chinese_translation():
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [entry.msgid for entry in catalogue if not entry.obsolete and not entry.translated()]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_source():
    compiled = gettext.GNUTranslations(open(LOCALE / "django.mo", "rb"))  # noqa: SIM115
    stale = [
        entry.msgid
        for entry in polib.pofile(str(LOCALE / "django.po"))
        if not entry.obsolete
        and not entry.msgid_plural
        and (compiled.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else compiled.gettext(entry.msgid))
        != entry.msgstr
    ]
    assert stale == [], "run `make messages` to recompile the .mo"


def test_the_interface_speaks_chinese_by_default():
    with translation.override("zh-hans"):
        assert translation.gettext("Roster") == "花名册"
