"""Every text a reader sees keeps to the language's glossary (toki/lib/glossary.py): the UI catalogues and the
alert phrase and term tables."""

from pathlib import Path

import polib
from django.conf import settings
from django.test import SimpleTestCase

from toki.alerts.rendering.lang import PHRASES, TABLES
from toki.lib.glossary import GLOSSARY

CATALOGUE_DIRS = {"ko": "ko", "zh-hans": "zh_Hans"}


def catalogue_texts(language: str) -> list[tuple[str, str]]:
    folder = CATALOGUE_DIRS.get(language)
    if folder is None:
        return []
    path = Path(settings.BASE_DIR) / "locale" / folder / "LC_MESSAGES" / "django.po"
    return [(f"{path.name}: {entry.msgid[:40]}", entry.msgstr) for entry in polib.pofile(str(path)) if entry.msgstr]


def alert_texts(language: str) -> list[tuple[str, str]]:
    texts = [(f"phrase {key}", text) for key, text in PHRASES[language].items()]
    for table_name, table in TABLES.items():
        texts += [(f"term {table_name}:{code}", entry[language]) for code, entry in table.items()]
    return texts


class GlossaryTests(SimpleTestCase):
    def test_it_uses_one_word_for_each_term_in_every_text_of_a_language(self):
        for language, terms in GLOSSARY.items():
            texts = catalogue_texts(language) + alert_texts(language)
            self.assertGreater(len(texts), 100, language)
            for preferred, variants in terms.items():
                for variant in variants:
                    offending = [where for where, text in texts if variant.casefold() in text.casefold()]
                    with self.subTest(language=language, variant=variant):
                        self.assertEqual(offending, [], f"{language}: use {preferred!r}, not {variant!r}")
