"""Rich menus against the local LINE server: created with valid requests, images uploaded at the menu's size,
the default switched when HQ turns disaster mode on and off, tourists linked to the English menu."""

import io
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import SimpleTestCase
from PIL import Image

from toki.linebot.richmenu_sync import key_of, sync_menus
from toki.linebot.richmenus import HEIGHT, MAX_IMAGE_BYTES, WIDTH, find_font, menus, render_image
from toki.linebot.tests.line_webhook_support import LineWebhookTestCase, fixture_event
from toki.portal.actions import set_disaster_mode

USER = "U" + "1" * 32
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "line"


class RichMenuImageTests(LineWebhookTestCase):
    def test_it_draws_each_menu_at_an_allowed_size_under_one_megabyte(self):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for menu in menus():
            with self.subTest(menu.key):
                data = render_image(menu, find_font())
                (ARTIFACTS / f"richmenu-{menu.key}.png").write_bytes(data)  # to look at (docs/line.md)
                image = Image.open(io.BytesIO(data))
                self.assertEqual((image.format, image.size), ("PNG", (WIDTH, HEIGHT)))
                self.assertLessEqual(len(data), MAX_IMAGE_BYTES)
                self.assertLessEqual(len(menu.chat_bar_text), 14)
                self.assertLessEqual(len(menu.cells), 20)

    def test_it_has_the_six_buttons_of_the_bousai_menu(self):
        normal = next(m for m in menus() if m.key == "normal")
        titles = [c.title.replace("\n", "") for c in normal.cells]  # a long label is drawn on two lines
        self.assertEqual(titles, ["最新情報", "避難所", "ライフライン", "受信設定", "のりあい予約", "Tourist"])

    def test_it_covers_the_image_with_areas_that_do_not_overlap(self):
        for menu in menus():
            areas = [a["bounds"] for a in menu.request("x")["areas"]]
            self.assertEqual(sum(a["width"] * a["height"] for a in areas), WIDTH * HEIGHT, menu.key)
            for bounds in areas:
                self.assertLessEqual(bounds["x"] + bounds["width"], WIDTH)
                self.assertLessEqual(bounds["y"] + bounds["height"], HEIGHT)


class RichMenuSyncTests(LineWebhookTestCase):
    def toki_menus(self) -> dict[str, str]:
        return {key_of(m["name"]): menu_id for menu_id, m in self.line.richmenus.items()}

    def test_it_creates_the_three_menus_with_their_images_and_sets_the_normal_default(self):
        call_command("line_richmenus", stdout=io.StringIO())
        created = self.toki_menus()
        self.assertEqual(set(created), {"normal", "tourist", "disaster"})
        for menu_id in created.values():
            image = self.line.richmenu_images[menu_id]
            self.assertEqual((image.content_type, image.width, image.height), ("image/png", WIDTH, HEIGHT))
        self.assertEqual(self.line.default_richmenu_id, created["normal"])
        self.assert_all_requests_valid()

    def test_it_creates_nothing_when_run_again_unchanged(self):
        sync_menus()
        before = dict(self.line.richmenus)
        report = sync_menus()
        self.assertEqual(report.created, {})
        self.assertEqual(set(report.kept), {"normal", "tourist", "disaster"})
        self.assertEqual(self.line.richmenus, before)

    def test_it_replaces_a_changed_menu_and_deletes_the_old_one(self):
        sync_menus()
        old = self.toki_menus()["normal"]
        self.line.richmenus[old]["name"] = "toki-normal-000000000000"  # as if made from an older definition
        report = sync_menus()
        self.assertEqual(set(report.created), {"normal"})
        self.assertNotIn(old, self.line.richmenus)
        self.assertEqual(self.line.default_richmenu_id, report.created["normal"])

    def test_it_leaves_menus_it_did_not_make(self):
        sync_menus()
        other = next(iter(self.line.richmenus.values()))
        self.line.richmenus["richmenu-" + "e" * 32] = {**other, "richMenuId": "richmenu-" + "e" * 32,
                                                       "name": "campaign"}
        sync_menus()
        self.assertIn("richmenu-" + "e" * 32, self.line.richmenus)

    def test_it_switches_the_default_to_the_disaster_menu_and_back_with_disaster_mode(self):
        sync_menus()
        menus_by_key = self.toki_menus()
        with self.captureOnCommitCallbacks(execute=True):
            set_disaster_mode(acting_user=self.alice, municipality=self.municipality, on=True, message="大雨で避難指示")
        self.assertEqual(self.line.default_richmenu_id, menus_by_key["disaster"])
        with self.captureOnCommitCallbacks(execute=True):
            set_disaster_mode(acting_user=self.alice, municipality=self.municipality, on=False, message="")
        self.assertEqual(self.line.default_richmenu_id, menus_by_key["normal"])
        self.assert_all_requests_valid()

    def test_it_creates_the_menus_with_the_disaster_default_while_disaster_mode_is_on(self):
        set_disaster_mode(acting_user=self.alice, municipality=self.municipality, on=True, message="地震")
        report = sync_menus()
        self.assertEqual(report.default_key, "disaster")

    def test_it_links_the_tourist_menu_to_a_user_who_chooses_english_and_unlinks_it_for_japanese(self):
        sync_menus()
        self.send_events(fixture_event("postback_latest", postback={"data": "action=tourist"}))
        self.assertEqual(self.line.user_richmenus.get(USER), self.toki_menus()["tourist"])
        self.send_events(fixture_event("postback_with_params", postback={"data": "action=resident"}))
        self.assertNotIn(USER, self.line.user_richmenus)
        self.assert_all_requests_valid()

    def test_it_refuses_to_run_without_an_access_token(self):
        from django.core.management.base import CommandError
        from django.test import override_settings

        with override_settings(LINE_CHANNEL_ACCESS_TOKEN=""), self.assertRaises(CommandError):
            call_command("line_richmenus", stdout=io.StringIO())


class ShippedFontTests(SimpleTestCase):
    """The menus are drawn in the font the project ships, on any machine (issue 14 item 12: `make test` failed on a
    machine without fonts-noto-cjk)."""

    def test_it_draws_in_the_shipped_font(self):
        from toki.linebot.richmenus import SHIPPED_FONT

        self.assertEqual(find_font(), (str(SHIPPED_FONT), 0))

    def test_it_has_a_glyph_for_every_character_the_menus_show(self):
        from fontTools.ttLib import TTFont

        from toki.linebot.richmenus import SHIPPED_FONT, menu_characters

        cmap = TTFont(SHIPPED_FONT).getBestCmap()
        missing = sorted(c for c in menu_characters() if ord(c) not in cmap and not c.isspace())
        self.assertEqual(missing, [], "run bin/make-richmenu-font after changing a menu label")


class LabelSizeTests(SimpleTestCase):
    """Every label is drawn at least at the documented size (docs/line.md: 150 px and up); a long one goes on two
    lines rather than shrinking (issue 21 item 7: ライフライン was 114 px, 災害情報サイト 98 px)."""

    def test_every_label_is_at_least_150_px(self):
        from PIL import Image, ImageDraw

        from toki.linebot.richmenus import MIN_LABEL_PX, label_font, menus

        draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
        sizes = {(menu.key, cell.title): label_font(draw, cell, find_font()).size
                 for menu in menus() for cell in menu.cells}
        self.assertEqual({key: size for key, size in sizes.items() if size < MIN_LABEL_PX}, {})
        self.assertEqual(sizes["disaster", "ライフ\nライン"], 170)
        self.assertEqual(sizes["disaster", "災害情報\nサイト"], 170)
