"""Text measured and cut as LINE and the push services count it: UTF-16 code units."""

from django.test import SimpleTestCase

from toki.lib.text import cut, text_length


class TextLengthTests(SimpleTestCase):
    def test_it_counts_utf16_code_units(self):
        self.assertEqual(text_length("佐渡"), 2)
        self.assertEqual(text_length("🌊"), 2)  # outside the BMP: a surrogate pair


class CutTests(SimpleTestCase):
    def test_it_keeps_a_text_within_the_limit_as_it_is(self):
        self.assertEqual(cut("避難指示", 4), "避難指示")

    def test_it_cuts_to_the_limit_with_the_marker(self):
        cut_text = cut("避難指示が出ました", 5)
        self.assertEqual(cut_text, "避難指示…")
        self.assertEqual(text_length(cut_text), 5)

    def test_it_never_splits_a_surrogate_pair(self):
        cut_text = cut("🌊🌊🌊", 4)
        self.assertEqual(cut_text, "🌊…")
        self.assertLessEqual(text_length(cut_text), 4)
