"""The card-reader adapter: only the 4情報 or a transport card id come through; never a 個人番号."""

from datetime import date

from django.test import SimpleTestCase

from toki.shelters.card_readers import (
    CardReader,
    PersonalNumberRefused,
    ScriptedCardReader,
    card_hash,
    read_cards,
    sanitise,
)
from toki.shelters.matching import contains_personal_number, kana_key, looks_like_personal_number


class CardReaderTests(SimpleTestCase):
    def test_it_reads_the_text_of_an_id_card(self):
        reader = ScriptedCardReader([{"name": "佐渡 花子", "birth_date": "1948-04-02", "address": "佐渡市両津湊1",
                                      "sex": "female"}])
        self.assertIsInstance(reader, CardReader)
        [card] = list(read_cards(reader))
        self.assertEqual((card.kind, card.name, card.birth_date), ("id_text", "佐渡 花子", date(1948, 4, 2)))

    def test_it_drops_any_field_that_is_not_one_of_the_four_facts(self):
        card = sanitise({"name": "佐渡 花子", "individual_number_file": "ignored", "photo": b"..."})
        self.assertFalse(hasattr(card, "individual_number_file"))
        self.assertNotIn("ignored", repr(card))

    def test_it_refuses_a_twelve_digit_number_in_any_field(self):
        for raw in ({"name": "佐渡", "my_number": "123456789012"}, {"address": "1234 5678 9012"},
                    {"card_id": "123456789012"}, {"name": "佐渡", "number": 123456789012}):
            with self.assertRaises(PersonalNumberRefused, msg=raw):
                sanitise(raw)

    def test_it_reads_a_transport_card_id(self):
        card = sanitise({"card_id": "0114a1b2c3d4e5f6"})
        self.assertEqual((card.kind, card.card_id), ("transport_ic", "0114A1B2C3D4E5F6"))

    def test_it_keeps_only_a_keyed_hash_of_a_card_id(self):
        digest = card_hash("0114a1b2c3d4e5f6")
        self.assertEqual(digest, card_hash("0114A1B2C3D4E5F6"))
        self.assertNotIn("0114", digest.upper())
        self.assertEqual(len(digest), 64)

    def test_it_recognises_twelve_digit_numbers_however_written(self):
        for value in ("123456789012", "1234-5678-9012", "１２３４５６７８９０１２", "1234 5678 9012", 123456789012):
            self.assertTrue(looks_like_personal_number(value), value)
        for value in ("0259-27-5111", "090-1234-5678", "12345678901", "1234567890123", True, None):
            self.assertFalse(looks_like_personal_number(value), value)
        self.assertTrue(contains_personal_number({"members": [{"notes": "123456789012"}]}))

    def test_it_normalises_kana_for_matching(self):
        self.assertEqual(kana_key("さど　はなこ"), kana_key("ｻﾄﾞ ﾊﾅｺ"))
        self.assertEqual(kana_key("サド・ハナコ"), "サドハナコ")
