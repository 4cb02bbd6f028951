"""The UI speaks Simplified Chinese by default, with English as the second language."""

from pathlib import Path

import polib
from django.conf import settings
from django.test import Client

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_message_has_a_chinese_translation() -> None:
    po = polib.pofile(str(CATALOGUE / "django.po"))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == [], f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_the_compiled_catalogue_matches_the_source() -> None:
    po = polib.pofile(str(CATALOGUE / "django.po"))
    mo = polib.mofile(str(CATALOGUE / "django.mo"))
    compiled = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in mo}
    for entry in po.translated_entries():
        if entry.msgid_plural:
            continue
        assert compiled.get((entry.msgctxt, entry.msgid)) == entry.msgstr, f"run `make messages`: {entry.msgid!r}"


def test_pages_speak_chinese_by_default_and_english_on_request(db: None) -> None:
    page = Client().get("/staff/login/")
    assert '<html lang="zh-hans"' in page.content.decode().lower()
    assert "登录" in page.content.decode()
    english = Client(headers={"accept-language": "en"}).get("/staff/login/")
    assert "Sign in" in english.content.decode() or "Log in" in english.content.decode()
