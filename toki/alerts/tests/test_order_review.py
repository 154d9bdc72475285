"""Issue 14 item 7 and issue 22 item 3: issuing an evacuation order goes through a review step that shows what
goes out (the text in each language as residents receive it), to whom (districts, recipients per channel), on
which channels and whether it is a drill; only the confirmation issues, and a resubmitted confirmation (the
form's idempotency key) never issues or sends twice."""

from django.test import override_settings

from toki.alerts.models import Alert, EvacuationOrder
from toki.alerts.tests.order_pages import ORDERS_URL, order_form_data
from toki.events.models import Event
from toki.notify.models import DeliveryBatch, Notification
from toki.notify.tests.helpers import subscriber
from toki.test import DATABASE_TASKS, BaseTestCase, QueueMixin

REASON = "大雨により崖崩れの危険が高まっています。"


class ReviewStepTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        d = cls.districts
        subscriber(cls.municipality, districts=[d["ryotsu"]])
        subscriber(cls.municipality, districts=[d["ryotsu"]], language="en")
        subscriber(cls.municipality)  # the whole city
        subscriber(cls.municipality, districts=[d["aikawa"]])  # another district: not reached
        subscriber(cls.municipality, test_audience=True, language="ko")

    def review(self, drill=False):
        self.login(self.alice)
        data = order_form_data(self.client, districts=[self.districts["ryotsu"].pk], level=4, hazard="landslide",
                               reason=REASON, drill=drill)
        return self.client.post(ORDERS_URL, {**data, "step": "review"})

    def test_the_form_asks_real_or_drill_apart_from_the_button_and_publishes_nothing(self):
        self.login(self.alice)
        page = self.client.get(ORDERS_URL).content.decode()
        self.assertIn("本番の発令ですか、訓練ですか", page)
        self.assertLess(page.index('name="is_drill"'), page.index('name="districts"'))  # first, not by the button
        self.assertIn("発令前に確認する", page)

    def test_the_review_shows_what_goes_out_to_whom_and_writes_nothing(self):
        response = self.review()
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("本番の発令です", page)
        self.assertIn("両津", page)
        # The text of every language as sent: the Japanese title, the English one, the reason as typed.
        self.assertIn("避難指示（警戒レベル4）", page)
        self.assertIn("Evacuation Instruction (Level 4) for Ryotsu", page)
        self.assertIn(REASON, page)
        for name in ("日本語", "やさしい日本語", "English", "简体中文", "한국어"):
            self.assertIn(name, page)
        # LINE: the two 両津 followers and the whole-city ones (staff's test account too); not the 相川 one.
        channels = response.context["review"]["channels"]
        line = next(c for c in channels if c["name"] == "LINE")
        self.assertEqual(line["recipients"], 4)
        self.assertEqual(dict(line["languages"]), {"日本語": 2, "English": 1, "한국어": 1})
        self.assertFalse(Alert.objects.exists())
        self.assertFalse(Event.objects.exists())

    def test_a_drill_review_says_so_and_counts_the_test_audience_only(self):
        response = self.review(drill=True)
        page = response.content.decode()
        self.assertIn("これは訓練です", page)
        self.assertIn("訓練として発令する", page)
        self.assertNotIn("今すぐ発令する", page)
        line = next(c for c in response.context["review"]["channels"] if c["name"] == "LINE")
        self.assertEqual(line["recipients"], 1)
        self.assertIn("【訓練】", response.context["review"]["texts"][0]["body"])

    def test_back_keeps_what_was_typed_and_issues_nothing(self):
        self.login(self.alice)
        data = order_form_data(self.client, districts=[self.districts["ryotsu"].pk], level=4, hazard="landslide",
                               reason=REASON)
        response = self.client.post(ORDERS_URL, {**data, "step": "edit"})
        self.assertContains(response, REASON)
        self.assertContains(response, data["idempotency_key"])  # the same form: a later confirm is still one order
        self.assertFalse(EvacuationOrder.objects.exists())

    def test_a_form_without_its_key_is_refused_with_a_clear_message(self):
        self.login(self.alice)
        data = order_form_data(self.client, districts=[self.districts["ryotsu"].pk], level=4, hazard="landslide",
                               reason=REASON)
        del data["idempotency_key"]
        response = self.client.post(ORDERS_URL, {**data, "step": "confirm"})
        self.assertContains(response, "このフォームは古くなっています")
        self.assertFalse(EvacuationOrder.objects.exists())


@override_settings(TASKS=DATABASE_TASKS)
class DoubleSubmitTests(QueueMixin, BaseTestCase):
    def test_confirming_the_same_form_twice_issues_one_order_and_plans_one_line_send(self):
        line_follower = subscriber(self.municipality, districts=[self.districts["ryotsu"]])
        self.login(self.alice)
        data = order_form_data(self.client, districts=[self.districts["ryotsu"].pk], level=4, hazard="landslide",
                               reason=REASON)
        with self.committed():
            first = self.client.post(ORDERS_URL, {**data, "step": "confirm"})
        with self.committed():
            second = self.client.post(ORDERS_URL, {**data, "step": "confirm"}, follow=True)
        self.assertEqual(first.status_code, 302)
        self.assertContains(second, "この画面からはすでに発令済みです")
        self.assertEqual(EvacuationOrder.objects.count(), 1)
        self.assertEqual(Alert.objects.count(), 1)
        notification = Notification.objects.get()
        self.assertEqual(notification.recipients, 1)
        batch = DeliveryBatch.objects.get(notification=notification)
        self.assertEqual(batch.subscriber_ids, [line_follower.pk])
        self.assertIn(REASON, batch.messages[0]["text"])

    def test_a_new_form_issues_a_new_order(self):
        self.login(self.alice)
        for _ in range(2):
            data = order_form_data(self.client, districts=[self.districts["ryotsu"].pk], level=4,
                                   hazard="landslide", reason=REASON)
            with self.committed():
                self.client.post(ORDERS_URL, {**data, "step": "confirm"})
        self.assertEqual(Alert.objects.count(), 2)  # the second replaces the first
        self.assertEqual(EvacuationOrder.objects.filter(lifted_at=None).count(), 1)
