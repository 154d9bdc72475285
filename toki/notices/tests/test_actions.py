from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from toki.accounts.models import AuditEvent, Role
from toki.areas.models import District, Municipality
from toki.events.models import Delivery, Event
from toki.notices import actions
from toki.notices.models import Notice
from toki.notices.tests.helpers import EN, JA, department_user, make_notice
from toki.test import DATABASE_TASKS, BaseTestCase, QueueMixin


class CreateNoticeTests(BaseTestCase):
    def test_it_creates_a_draft_with_its_versions_and_an_audit_event(self):
        notice = make_notice(self, versions={"ja": JA, "en": EN}, districts=("ryotsu",), publish=False)
        self.assertFalse(notice.is_published)
        self.assertIsNone(notice.published_at)
        self.assertEqual(sorted(v.language for v in notice.versions.all()), ["en", "ja"])
        self.assertEqual([d.code for d in notice.districts.all()], ["ryotsu"])
        event = AuditEvent.objects.get(action="notices.create")
        self.assertEqual((event.actor, event.object_id), (self.alice, str(notice.pk)))
        self.assertEqual(event.changes["languages"], ["en", "ja"])

    def test_it_stores_the_body_sanitised(self):
        notice = make_notice(self, versions={"ja": ("題", '<p onclick="x()">本文<script>alert(1)</script></p>')})
        self.assertEqual(notice.versions.get().body, "<p>本文</p>")

    def test_it_requires_the_japanese_version(self):
        with self.assertRaises(ValidationError) as caught:
            make_notice(self, versions={"en": EN})
        self.assertIn("title_ja", caught.exception.message_dict)
        self.assertFalse(Notice.objects.exists())

    def test_it_refuses_a_body_that_is_empty_once_cleaned(self):
        with self.assertRaises(ValidationError) as caught:
            make_notice(self, versions={"ja": ("題", "<script>alert(1)</script>")})
        self.assertIn("body_ja", caught.exception.message_dict)

    def test_it_leaves_out_a_language_with_neither_title_nor_body(self):
        notice = make_notice(self, versions={"ja": JA, "en": ("", "  ")})
        self.assertEqual([v.language for v in notice.versions.all()], ["ja"])

    def test_it_refuses_an_unknown_language_or_category(self):
        with self.assertRaises(ValidationError):
            make_notice(self, versions={"ja": JA, "fr": EN})
        with self.assertRaises(ValidationError):
            make_notice(self, category="gossip")

    def test_it_refuses_districts_of_another_municipality(self):
        other = Municipality.objects.create(code="152021", name="新潟市", prefecture="新潟県")
        district = District.objects.create(municipality=other, code="kita", name="北区", centre_lat=0, centre_lon=0)
        with self.assertRaises(ValidationError):
            actions.create_notice(acting_user=self.alice, municipality=self.municipality, category="life",
                                  versions={"ja": JA}, districts=[district])

    def test_it_refuses_everyone_but_hq_and_department_editors(self):
        reporter = department_user("somu-reporter", Role.REPORTER)
        for user in (self.bob, self.carol, self.dave, self.eve, reporter):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                make_notice(self, user=user)
        self.assertFalse(Notice.objects.exists())

    def test_it_lets_a_department_editor_write(self):
        editor = department_user("somu-editor")
        self.assertTrue(make_notice(self, user=editor).is_published)


class UpdateNoticeTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.notice = make_notice(self, versions={"ja": JA, "en": EN})

    def update(self, **overrides):
        fields = {"category": "life", "versions": {"ja": JA, "en": EN}, "districts": [], "is_important": False,
                  **overrides}
        return actions.update_notice(acting_user=self.alice, notice=self.notice, **fields)

    def test_it_changes_versions_and_records_what_changed(self):
        self.update(versions={"ja": ("新しい題", JA[1]), "ko": ("겨울 정전 대비", "<p>손전등</p>")},
                    is_important=True, districts=[self.districts["aikawa"]])
        self.notice.refresh_from_db()
        self.assertEqual({v.language: v.title for v in self.notice.versions.all()},
                         {"ja": "新しい題", "ko": "겨울 정전 대비"})
        changes = AuditEvent.objects.get(action="notices.update").changes
        self.assertEqual((changes["added"], changes["changed"], changes["removed"]), (["ko"], ["ja"], ["en"]))
        self.assertEqual(changes["important"], [False, True])
        self.assertEqual(changes["districts"], [[], ["aikawa"]])

    def test_it_tells_the_publishers_on_commit_when_a_published_notice_changes(self):
        before = Event.objects.count()
        with self.captureOnCommitCallbacks(execute=True):
            self.update(category="health")
        self.assertEqual(list(Event.objects.order_by("pk")[before:].values_list("name", "ids")),
                         [("notices.public_notice_changed", {"notice_id": self.notice.pk})])

    def test_it_refuses_bob(self):
        with self.assertRaises(PermissionDenied):
            actions.update_notice(acting_user=self.bob, notice=self.notice, category="life", versions={"ja": JA})


class PublishNoticeTests(QueueMixin, BaseTestCase):
    def test_it_publishes_once_and_keeps_the_first_publication_time(self):
        notice = make_notice(self)
        first = notice.published_at
        self.assertIsNotNone(first)
        notice = actions.unpublish_notice(acting_user=self.alice, notice=notice)
        self.assertFalse(notice.is_published)
        notice = actions.publish_notice(acting_user=self.alice, notice=notice)
        self.assertEqual((notice.is_published, notice.published_at), (True, first))
        self.assertEqual(list(AuditEvent.objects.filter(action__startswith="notices.p").values_list(
            "changes", flat=True).order_by("id")), [{"first": True}, {"first": False}])
        self.assertEqual(AuditEvent.objects.filter(action="notices.unpublish").count(), 1)

    def test_it_changes_nothing_when_already_published(self):
        notice = make_notice(self)
        actions.publish_notice(acting_user=self.alice, notice=notice)
        self.assertEqual(AuditEvent.objects.filter(action="notices.publish").count(), 1)

    @override_settings(TASKS=DATABASE_TASKS)
    def test_it_sends_the_change_only_after_commit(self):
        notice = make_notice(self, publish=False)
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            actions.publish_notice(acting_user=self.alice, notice=notice)
        event = Event.objects.get(name="notices.public_notice_changed")  # written with the change
        self.assertEqual((event.municipality_id, event.ids), (self.municipality.pk, {"notice_id": notice.pk}))
        self.run_queued_tasks()
        self.assertFalse(Delivery.objects.exists())  # nothing delivered before the commit
        for callback in callbacks:
            callback()
        self.run_queued_tasks()
        self.assertEqual(sorted(Delivery.objects.filter(done_at__isnull=False).values_list("subscriber", flat=True)),
                         ["notices.announce_published_notice", "portal.republish"])

    def test_it_refuses_bob_and_outsiders(self):
        notice = make_notice(self, publish=False)
        for user in (self.bob, self.eve):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                actions.publish_notice(acting_user=user, notice=notice)
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                actions.unpublish_notice(acting_user=user, notice=notice)
        notice.refresh_from_db()
        self.assertFalse(notice.is_published)
