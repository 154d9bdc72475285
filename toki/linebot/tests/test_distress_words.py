"""Which messages read like a call for help (the conversation suite answers them through the webhook)."""

from django.test import SimpleTestCase

from toki.linebot.distress import is_distress


class DistressWordsTests(SimpleTestCase):
    def test_it_recognises_calls_for_help_in_five_languages(self):
        for text in ("助けて", "たすけて！", "裏山から水が出てきて怖いです。どこに逃げればいいですか？",
                     "家に閉じ込められた", "Help! I am trapped", "HELP ME", "please help, water is rising", "SOS",
                     "Where should I go?", "救命", "我们被困在家里", "살려주세요", "도와주세요 갇혔어요"):
            with self.subTest(text=text):
                self.assertTrue(is_distress(text))

    def test_it_leaves_commands_and_small_talk_alone(self):
        for text in ("help", "Help", "ヘルプ", "設定", "避難所", "helpful information", "English", "", "   "):
            with self.subTest(text=text):
                self.assertFalse(is_distress(text))
