"""parse_capacity: the free text of 想定収容人数."""

from django.test import SimpleTestCase

from toki.shelters.importing import parse_capacity


class ParseCapacityTests(SimpleTestCase):
    def test_it_reads_the_people_before_the_explanation(self):
        self.assertEqual(parse_capacity("810人（2平方メートルあたり1人）"), 810)

    def test_it_reads_a_number_with_a_thousands_separator(self):
        self.assertEqual(parse_capacity("1,200人"), 1200)

    def test_it_reads_a_bare_number(self):
        self.assertEqual(parse_capacity("350"), 350)

    def test_it_reads_full_width_digits(self):
        self.assertEqual(parse_capacity("約５００人"), 500)

    def test_it_gives_none_for_empty_text(self):
        self.assertIsNone(parse_capacity(""))

    def test_it_gives_none_for_text_without_a_count(self):
        self.assertIsNone(parse_capacity("未定"))

    def test_it_gives_none_for_an_area_without_people(self):
        self.assertIsNone(parse_capacity("2平方メートル"))
