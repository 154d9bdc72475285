"""notify plans an Announcement as it is given, knowing nothing of its producer: targeting by municipality,
districts and category, the test audience for drills, one Notification per dedupe key, and a clear refusal of an
announcement that could not be delivered."""

from toki.areas.models import Municipality
from toki.notify.actions.planning import announce
from toki.notify.announcements import Announcement, Category, Content, Kind
from toki.notify.models import Delivery, DeliveryBatch, Notification
from toki.notify.tests.helpers import subscriber
from toki.test import BaseTestCase


def text(language: str, title: str) -> Content:
    return Content(language=language, title=title, short=title, body=f"{title}\n\n本文", url="https://example.jp/")


def announcement(**changes) -> dict:
    fields = {"dedupe_key": "test:1", "category": Category.NOTICES, "title": "テスト",
              "texts": {"ja": text("ja", "お知らせ"), "en": text("en", "Notice")}, "district_codes": ("ryotsu",)}
    return {**fields, **changes}


class AnnounceTests(BaseTestCase):
    municipality: Municipality
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        m, d = cls.municipality, cls.districts
        cls.ryotsu_ja = subscriber(m, districts=[d["ryotsu"]])
        cls.ryotsu_ko = subscriber(m, districts=[d["ryotsu"]], language="ko")
        cls.aikawa = subscriber(m, districts=[d["aikawa"]])
        cls.no_notices = subscriber(m, categories=[Category.WARNINGS])
        cls.tester = subscriber(m, test_audience=True)

    def announce(self, **changes) -> Notification:
        with self.captureOnCommitCallbacks(execute=False):
            notification = announce(Announcement(municipality_id=self.municipality.pk, **announcement(**changes)))
        assert notification is not None
        return notification

    def recipients(self, notification) -> set[int]:
        return set(Delivery.objects.filter(notification=notification).values_list("subscriber_id", flat=True))

    def test_it_targets_the_districts_and_category_and_falls_back_to_the_default_language(self):
        notification = self.announce()
        self.assertEqual(self.recipients(notification), {self.ryotsu_ja.pk, self.ryotsu_ko.pk, self.tester.pk})
        self.assertEqual((notification.source_key, notification.kind, notification.title),
                         ("test:1", Kind.NEW, "テスト"))
        texts = {b.language: b.messages[0]["text"] for b in DeliveryBatch.objects.filter(notification=notification)}
        self.assertEqual(list(texts.values()), ["お知らせ\n\n本文\n\nhttps://example.jp/"])  # ko reads the ja text

    def test_it_sends_a_drill_or_a_test_to_the_test_audience_only(self):
        for flag in ("is_drill", "is_test"):
            with self.subTest(flag):
                notification = self.announce(dedupe_key=f"test:{flag}", district_codes=(), **{flag: True})
                self.assertEqual(self.recipients(notification), {self.tester.pk})
                self.assertTrue(notification.test_audience_only)

    def test_it_plans_a_dedupe_key_once(self):
        first = self.announce()
        self.assertEqual(self.announce(title="また"), first)
        self.assertEqual(Notification.objects.count(), 1)

    def test_it_refuses_an_announcement_it_could_not_deliver_saying_what_is_wrong(self):
        cases = {
            "unknown category 'news'": {"category": "news"},
            "no text in the default language 'ja'": {"texts": {"en": text("en", "Notice")}},
            "dedupe_key must be": {"dedupe_key": "x" * 101},
            "preview is longer than 100": {"texts": {"ja": Content("ja", "t", "長" * 101, "b", "")}},
            "the 'en' text needs its language": {"texts": {"ja": text("ja", "t"), "en": text("ko", "t")}},
        }
        for message, changes in cases.items():
            with self.subTest(message), self.assertRaisesMessage(ValueError, message):
                Announcement(municipality_id=self.municipality.pk, **announcement(**changes))
        self.assertFalse(Notification.objects.exists())

    def test_a_personal_audience_reaches_exactly_the_named_subscribers_once(self):
        blocked = subscriber(self.municipality, active=False)
        # Named: one of another district and one who chose no notices; the others of 両津 are not reached.
        named = (self.aikawa.pk, self.no_notices.pk, blocked.pk)
        notification = self.announce(dedupe_key="personal:1", district_codes=(), subscriber_ids=named)
        self.assertEqual(self.recipients(notification), {self.aikawa.pk, self.no_notices.pk})  # not the blocked one
        self.assertEqual(self.announce(dedupe_key="personal:1", district_codes=(), subscriber_ids=named),
                         notification)
        self.assertEqual(Delivery.objects.filter(notification=notification).count(), 2)

    def test_a_personal_audience_is_refused_with_districts_or_as_a_drill(self):
        for message, changes in {
            "a personal audience takes no districts": {"subscriber_ids": (self.aikawa.pk,)},
            "neither a drill nor a test": {"subscriber_ids": (self.aikawa.pk,), "district_codes": (),
                                           "is_drill": True},
            "subscriber_ids must be Subscriber ids": {"subscriber_ids": ("U123",), "district_codes": ()},
        }.items():
            with self.subTest(message), self.assertRaisesMessage(ValueError, message):
                Announcement(municipality_id=self.municipality.pk, **announcement(**changes))
