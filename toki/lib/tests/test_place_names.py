from types import SimpleNamespace

from django.test import SimpleTestCase
from django.utils import translation

from toki.lib.place_names import local_name

RYOTSU = SimpleNamespace(name="両津", name_en="Ryotsu")


class LocalNameTests(SimpleTestCase):
    def test_it_shows_the_japanese_name_on_japanese_pages(self):
        for code in ("ja", "ja-easy"):
            with self.subTest(code=code), translation.override(code):
                self.assertEqual(local_name(RYOTSU), "両津")

    def test_it_shows_the_romanised_name_with_the_japanese_one_elsewhere(self):
        for code in ("en", "zh-hans", "ko"):
            with self.subTest(code=code), translation.override(code):
                self.assertEqual(local_name(RYOTSU), "Ryotsu (両津)")

    def test_it_falls_back_to_the_japanese_name(self):
        with translation.override("en"):
            self.assertEqual(local_name(SimpleNamespace(name="内浦", name_en="")), "内浦")
