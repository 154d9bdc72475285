from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from toki.accounts.models import AuditEvent
from toki.alerts.actions.orders import issue_evacuation_order, lift_evacuation_orders
from toki.alerts.models import Alert, EvacuationOrder
from toki.alerts.tests.order_pages import issue_through_pages
from toki.test import BaseTestCase


class IssueOrderActionTests(BaseTestCase):
    def issue(self, user=None, codes=("ryotsu", "aikawa"), level=4, hazard="landslide", **kwargs):
        return issue_evacuation_order(acting_user=user or self.alice, districts=[self.districts[c] for c in codes],
                                      level=level, hazard=hazard, reason="土砂災害の危険が高まっています", **kwargs)

    def test_it_issues_one_alert_and_one_order_per_district(self):
        orders = self.issue()
        alert = orders[0].issue_alert
        self.assertEqual(len(orders), 2)
        self.assertEqual((alert.source, alert.category, alert.status, alert.msg_type, alert.level),
                         ("city", "evacuation", "actual", "alert", 4))
        self.assertEqual(alert.facts["version"], 1)
        self.assertTrue(AuditEvent.objects.filter(action="alerts.issue_evacuation_order", actor=self.alice).exists())

    def test_it_replaces_the_order_in_force_when_the_level_changes(self):
        first = self.issue(codes=("ryotsu",))[0]
        second = self.issue(codes=("ryotsu",), level=5)[0]
        first.refresh_from_db()
        self.assertIsNotNone(first.lifted_at)
        self.assertEqual(first.lift_alert, second.issue_alert)
        self.assertEqual(second.issue_alert.msg_type, "update")
        self.assertIn(first.issue_alert, second.issue_alert.references.all())
        self.assertEqual(EvacuationOrder.objects.filter(lifted_at=None).count(), 1)

    def test_it_lifts_orders_with_an_alert_that_references_the_issue(self):
        orders = self.issue()
        alert = lift_evacuation_orders(acting_user=self.alice, orders=orders, reason="危険が去りました")
        self.assertTrue(alert.facts["evacuation"]["lifted"])
        self.assertEqual(set(alert.references.all()), {orders[0].issue_alert})
        self.assertFalse(EvacuationOrder.objects.filter(lifted_at=None).exists())

    def test_it_keeps_drills_apart_and_out_of_public_view(self):
        self.issue(codes=("ryotsu",))
        drill = self.issue(codes=("ryotsu",), level=5, is_drill=True)[0]
        self.assertEqual(drill.issue_alert.status, Alert.Status.EXERCISE)
        self.assertEqual(EvacuationOrder.objects.filter(lifted_at=None).count(), 2)

    def test_it_refuses_branch_staff_and_outsiders(self):
        for user in (self.bob, self.carol, self.dave, self.eve):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                self.issue(user=user)
        self.assertFalse(Alert.objects.exists())

    def test_it_refuses_an_order_without_a_reason_and_writes_nothing(self):
        with self.assertRaises(ValidationError):
            issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=4,
                                   hazard="flood", reason="  ")
        self.assertFalse(Alert.objects.exists())

    def test_it_refuses_an_unknown_level(self):
        with self.assertRaises(ValidationError):
            self.issue(level=2)


class OrdersPageTests(BaseTestCase):
    url = reverse("alerts:orders")

    def post_issue(self, **overrides):
        fields = {"districts": [self.districts["ogi"].pk], "level": "3", "hazard": "flood",
                  "reason": "川が増水しています", **overrides}
        return issue_through_pages(self.client, **fields)

    def post_once(self, **overrides):
        """The form's own POST (its review step): a branch office or a bad form gets no further."""
        data = {"districts": [self.districts["ogi"].pk], "level": "3", "hazard": "flood",
                "reason": "川が増水しています", "is_drill": "real",
                "idempotency_key": "6f1c2b1e-8a2b-4f7e-9a51-1d0f3c1d2e3f", **overrides}
        return self.client.post(self.url, data)

    def test_it_shows_the_issue_form_to_hq_staff(self):
        self.login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(response, 'name="reason"')

    def test_it_shows_orders_but_no_form_to_branch_staff(self):
        self.login(self.bob)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'name="level"')

    def test_it_refuses_outsiders_with_404(self):
        for user in (self.eve, self.carol, self.dave):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_sends_anonymous_visitors_to_login(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_it_issues_an_order_from_the_form(self):
        self.login(self.alice)
        response = self.post_issue()
        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        self.assertEqual(EvacuationOrder.objects.get().district, self.districts["ogi"])

    def test_it_refuses_a_post_from_branch_staff(self):
        self.login(self.bob)
        self.assertEqual(self.post_once().status_code, 404)
        self.assertEqual(self.post_once(step="confirm").status_code, 404)
        self.assertFalse(EvacuationOrder.objects.exists())

    def test_it_shows_form_errors_for_a_missing_district(self):
        self.login(self.alice)
        response = self.post_once(districts=[])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.post_once(districts=[], step="confirm").status_code, 200)
        self.assertFalse(EvacuationOrder.objects.exists())

    def test_it_lifts_orders_from_the_page(self):
        self.login(self.alice)
        self.post_issue()
        order = EvacuationOrder.objects.get()
        self.client.post(reverse("alerts:lift_orders"), {"orders": [order.pk], "reason": "水位が下がりました"})
        order.refresh_from_db()
        self.assertIsNotNone(order.lifted_at)

    def test_it_says_in_japanese_why_orders_of_two_hazards_are_not_lifted_together(self):
        self.login(self.alice)
        self.post_issue()
        self.post_issue(districts=[self.districts["ryotsu"].pk], hazard="landslide")
        orders = list(EvacuationOrder.objects.values_list("pk", flat=True))
        response = self.client.post(reverse("alerts:lift_orders"), {"orders": orders, "reason": "水位が下がりました"},
                                    follow=True)
        self.assertContains(response, "解除は災害の種類ごとに行ってください。")
        self.assertFalse(EvacuationOrder.objects.filter(lifted_at__isnull=False).exists())

    def test_it_pins_the_query_count_of_the_page(self):
        self.login(self.alice)
        self.post_issue()
        self.client.get(self.url)
        # session, user, municipality, memberships, orders in force, the site's municipality (page header),
        # districts of the form, the disaster-mode banner
        with self.assertNumQueries(8):
            self.client.get(self.url)


class StaffAlertsPageTests(BaseTestCase):
    url = reverse("alerts:staff_alerts")

    def test_it_shows_drills_marked_to_staff(self):
        issue_evacuation_order(acting_user=self.alice, districts=[self.districts["ryotsu"]], level=5,
                               hazard="tsunami", reason="訓練です", is_drill=True)
        self.login(self.bob)
        response = self.client.get(self.url)
        self.assertContains(response, "【訓練】")

    def test_it_refuses_outsiders_with_404(self):
        for user in (self.eve, self.carol, self.dave):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_sends_anonymous_visitors_to_login(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_it_pins_its_query_count(self):
        self.login(self.alice)
        self.client.get(self.url)
        # session, user, municipality, memberships, feed freshness, warnings, drill warnings, alerts,
        # quarantine, municipality (header), the disaster-mode banner
        with self.assertNumQueries(11):
            self.client.get(self.url)


class OrderOnTheTimelineTests(BaseTestCase):
    """The reason staff typed appears once on the public timeline in every language (issue 12 item 6)."""

    def test_it_shows_the_citys_original_text_once_on_the_english_timeline(self):
        self.login(self.alice)
        reason = "崖崩れの危険が高まっています。"
        response = issue_through_pages(self.client, districts=[self.districts["ryotsu"].pk], level=4,
                                       hazard="landslide", reason=reason)
        self.assertEqual(response.status_code, 302)
        self.client.logout()
        for language in ("ja", "en", "zh-hans", "ko", "ja-easy"):
            with self.subTest(language=language):
                self.client.cookies["toki_language"] = language
                page = self.client.get("/warnings/").content.decode()
                timeline = page[page.index('<ol class="timeline">'):]
                cards = page[page.index('<section class="order-cards"'):page.index('<ol class="timeline">')]
                # Once in the timeline's details, once on the card of the order in force (issue 14 item 1).
                self.assertEqual((timeline.count(reason), cards.count(reason)), (1, 1))


class OrderChangeWordingTests(BaseTestCase):
    """A re-issued order says what it changed, first on the lock screen: 引き上げ, 引き下げ, 解除, and 訂正 only for
    the same order again (a correction of its text)."""

    def issue(self, level, codes=("aikawa",), reason="土砂災害の危険"):
        return issue_evacuation_order(acting_user=self.alice, districts=[self.districts[c] for c in codes],
                                      level=level, hazard="landslide", reason=reason)

    def first_lines(self, alert, language):
        from toki.alerts.rendering import render

        rendered = render(alert.facts, language, msg_type=alert.msg_type)
        return rendered.short, rendered.body.split("\n")[:2]

    def test_raise_lower_correct_update_and_lift_each_say_what_happened(self):
        self.issue(3)
        raised = self.issue(4)[0].issue_alert
        expected_raise = {
            "ja": ("【引き上げ】相川に避難指示（警戒レベル４）", "警戒レベル３から警戒レベル４に引き上げました。"),
            "ja-easy": ("【レベルが 上（あ）がりました】", "レベル3から レベル4に 上（あ）がりました。"),
            "en": ("RAISED: ", "Raised from Level 3 to Level 4."),
            "zh-hans": ("【上调】", "已从警戒级别3上调至警戒级别4。"),
            "ko": ("[상향] ", "경계 레벨3에서 경계 레벨4(으)로 상향했습니다."),
        }
        for language, (start, line) in expected_raise.items():
            with self.subTest(language):
                short, lines = self.first_lines(raised, language)
                self.assertTrue(short.startswith(start), short)
                self.assertTrue(lines[0].startswith(start), lines)
                self.assertEqual(lines[1], line)
                self.assertNotIn("訂正", short + "\n".join(lines))
        lowered = self.issue(3)[0].issue_alert
        self.assertTrue(self.first_lines(lowered, "ja")[0].startswith("【引き下げ】相川に高齢者等避難"))
        corrected = self.issue(3, reason="土砂災害の危険（場所を訂正）")[0].issue_alert
        self.assertEqual(self.first_lines(corrected, "ja")[1], ["【訂正】相川に高齢者等避難（警戒レベル３）",
                                                               "先に発表した情報を訂正します。"])
        widened = self.issue(3, codes=("aikawa", "ryotsu"))
        self.assertTrue(self.first_lines(widened[0].issue_alert, "en")[0].startswith("UPDATED: "))
        lifted = lift_evacuation_orders(acting_user=self.alice, orders=widened, reason="危険が去りました")
        lift_markers = {"ja": "【解除】", "ja-easy": "【終（お）わり】", "en": "LIFTED: ", "zh-hans": "【解除】",
                        "ko": "[해제] "}
        for language, start in lift_markers.items():
            with self.subTest(language):
                short, lines = self.first_lines(lifted, language)
                self.assertTrue(short.startswith(start) and lines[0].startswith(start), (short, lines))
                self.assertNotIn("訂正", short)
