import os
import time
from io import StringIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from toki.accounts import actions as account_actions
from toki.accounts.models import AuditEvent, OrgUnit, Role, User
from toki.hq.damage import actions
from toki.hq.damage.models import DamageCount, DamageReport
from toki.hq.damage.tests.support import DamageTestCase, TemporaryMediaMixin
from toki.posts.photos import clean_photo
from toki.posts.tests.support import photo_bytes, upload


class FilingTests(DamageTestCase):
    def test_it_files_a_report_as_version_1_with_an_audit_event(self):
        report = self.file({"sites_roads": 2}, text="県道45号 土砂崩れ", address="両津夷")
        version = report.current_version
        self.assertEqual((version.number, version.text, report.district, report.is_confirmed),
                         (1, "県道45号 土砂崩れ", self.ryotsu, False))
        self.assertEqual(dict(version.counts.values_list("item", "value")), {"sites_roads": 2})
        self.assertTrue(AuditEvent.objects.filter(action="damage.report_filed", object_id=str(report.pk)).exists())

    def test_it_finds_the_district_from_the_map_point(self):
        report = actions.file_report(acting_user=self.alice, incident=self.incident, category="roads",
                                     counts={"sites_roads": 1}, latitude=self.aikawa.centre_lat,
                                     longitude=self.aikawa.centre_lon)
        self.assertEqual(report.district, self.aikawa)

    def test_it_refuses_unknown_items_negative_numbers_and_wrong_decimals(self):
        with self.assertRaises(ValidationError) as caught:
            self.file({"sites_roads": -1, "sites_bridges": "1.5", "sites_moon": 1}, category="roads")
        self.assertEqual(caught.exception.message_dict["counts"], [
            "counts.sites_roads: must be zero or more", "counts.sites_bridges: 箇所 allows 0 decimal place(s)",
            "counts.sites_moon: unknown item"])
        self.assertFalse(DamageReport.objects.exists())

    def test_it_refuses_a_derived_item_and_an_item_of_another_category(self):
        with self.assertRaises(ValidationError) as caught:
            self.file({"affected_households": 3, "casualties_dead": 1}, category="housing")
        self.assertEqual(caught.exception.message_dict["counts"], [
            "counts.affected_households: computed from other items, never entered",
            "counts.casualties_dead: not an item of the category 'housing'"])

    def test_it_refuses_an_empty_report(self):
        with self.assertRaises(ValidationError):
            self.file({}, category="roads")


class CorrectionTests(DamageTestCase):
    def test_it_keeps_every_version_and_points_at_the_newest(self):
        report = self.file({"casualties_injured_minor": 2}, text="軽傷2名")
        actions.confirm_report(acting_user=self.alice, report=report)
        report.refresh_from_db()
        self.assertTrue(report.is_confirmed)
        version = actions.correct_report(acting_user=self.alice, report=report,
                                         counts={"casualties_injured_minor": 1, "casualties_injured_serious": 1},
                                         reason="1名は重傷と判明")
        report.refresh_from_db()
        self.assertEqual(report.current_version, version)
        self.assertEqual([v.number for v in report.versions.all()], [1, 2])
        first = report.versions.get(number=1)
        self.assertEqual(dict(first.counts.values_list("item", "value")), {"casualties_injured_minor": 2})
        self.assertEqual(version.text, "軽傷2名")  # kept when not given
        self.assertFalse(report.is_confirmed)  # a correction needs confirming again
        self.assertEqual(set(DamageCount.objects.filter(is_current=True).values_list("version", flat=True)),
                         {version.pk})

    def test_it_needs_a_reason(self):
        report = self.file({"sites_roads": 1})
        with self.assertRaises(ValidationError) as caught:
            actions.correct_report(acting_user=self.alice, report=report, counts={"sites_roads": 2}, reason=" ")
        self.assertIn("reason", caught.exception.message_dict)


class RoleTests(DamageTestCase):
    def test_it_lets_branch_staff_file_and_correct_in_their_own_district(self):
        report = self.file({"sites_roads": 1}, user=self.bob)
        self.assertEqual(report.org_unit.name, "両津支所")
        actions.correct_report(acting_user=self.bob, report=report, counts={"sites_roads": 2}, reason="追加")

    def test_it_refuses_branch_staff_in_another_district(self):
        with self.assertRaises(PermissionDenied):
            self.file({"sites_roads": 1}, user=self.bob, district=self.aikawa)
        report = self.file({"sites_roads": 1}, district=self.aikawa)
        with self.assertRaises(PermissionDenied):
            actions.correct_report(acting_user=self.bob, report=report, counts={"sites_roads": 2}, reason="x")

    def test_it_refuses_branch_staff_moving_a_report_out_of_their_district(self):
        report = self.file({"sites_roads": 1}, user=self.bob)
        with self.assertRaises(PermissionDenied):
            actions.correct_report(acting_user=self.bob, report=report, counts={"sites_roads": 1}, reason="x",
                                   district=self.aikawa)

    def test_it_lets_an_agency_file_only_in_its_categories(self):
        agency = account_actions.ensure_org_unit(acting_user=None, name="東北電力ネットワーク佐渡",
                                                 kind=OrgUnit.Kind.AGENCY)
        account_actions.grant_membership(acting_user=None, user=self.eve, org_unit=agency, role=Role.REPORTER)
        with self.assertRaises(PermissionDenied):
            self.file({"lifeline_power_households": 10}, user=self.eve)
        actions.set_agency_scope(acting_user=self.alice, org_unit=agency, categories=["power"])
        eve = User.objects.get(pk=self.eve.pk)  # a new request: memberships and scopes read again
        report = self.file({"lifeline_power_households": 10}, user=eve, district=self.aikawa)
        self.assertEqual(report.org_unit, agency)
        with self.assertRaises(PermissionDenied):
            self.file({"sites_roads": 1}, user=eve)

    def test_it_refuses_shelter_staff_welfare_staff_and_outsiders(self):
        for user in (self.carol, self.dave, self.eve):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                self.file({"sites_roads": 1}, user=user)

    def test_it_lets_only_hq_confirm_and_issue(self):
        report = self.file({"sites_roads": 1}, user=self.bob)
        with self.assertRaises(PermissionDenied):
            actions.confirm_report(acting_user=self.bob, report=report)
        with self.assertRaises(PermissionDenied):
            actions.issue_report(acting_user=self.bob, incident=self.incident)


class PhotoTests(TemporaryMediaMixin, DamageTestCase):
    def test_it_stores_photos_resized_without_exif(self):
        photo = clean_photo(upload(photo_bytes(gps=True)))
        report = self.file({"sites_roads": 1}, photos=[photo])
        stored = report.photos.get()
        with default_storage.open(stored.file.name) as handle, Image.open(handle) as image:
            self.assertEqual(dict(image.getexif()), {})
            self.assertLessEqual(max(image.size), 1600)
        self.assertTrue(stored.file.name.startswith("damage/"))

    def test_it_removes_the_files_when_the_report_is_refused(self):
        photo = clean_photo(upload(photo_bytes()))
        with self.assertRaises(PermissionDenied):
            self.file({"sites_roads": 1}, photos=[photo], user=self.bob, district=self.aikawa)
        self.assertFalse(default_storage.exists("damage"))


class OrphanPhotoTests(TemporaryMediaMixin, DamageTestCase):
    """A process killed between writing a report's photos and its COMMIT leaves files no version holds (issue 22):
    the hourly `prune_orphan_photos` deletes them once they are an hour old, and never a photo of a report."""

    def age(self, name: str, hours: float) -> None:
        path = default_storage.path(name)
        then = time.time() - hours * 3600
        os.utime(path, (then, then))

    def test_it_deletes_photo_files_left_by_a_report_that_never_committed(self):
        report = self.file({"sites_roads": 1}, photos=[clean_photo(upload(photo_bytes()))])
        kept = report.photos.get().file.name
        # What a SIGKILL between the write and the COMMIT leaves: the files, no row.
        (old_orphan, _), = actions._store_photos([clean_photo(upload(photo_bytes()))])
        (young_orphan, _), = actions._store_photos([clean_photo(upload(photo_bytes()))])
        self.age(kept, 2)
        self.age(old_orphan, 2)
        out = StringIO()
        call_command("prune_orphan_photos", stdout=out)
        self.assertIn("deleted 1, kept 1, too young 1", out.getvalue())
        self.assertEqual([default_storage.exists(n) for n in (kept, old_orphan, young_orphan)], [True, False, True])
        call_command("prune_orphan_photos", stdout=StringIO())  # again: nothing more
        self.assertTrue(default_storage.exists(kept))


class ChronologyTests(DamageTestCase):
    def entries(self):
        from toki.hq.models import ChronologyEntry

        return list(ChronologyEntry.objects.filter(incident=self.incident, category="damage").order_by("pk"))

    def test_it_writes_filings_corrections_and_issued_reports_into_the_chronology(self):
        report = self.file({"housing_total_collapse_buildings": 2, "housing_flood_above_floor_households": 14},
                           user=self.bob, text="山田さん宅が全壊")
        actions.correct_report(acting_user=self.bob, report=report, reason="追加調査",
                               counts={"housing_total_collapse_buildings": 3})
        actions.issue_report(acting_user=self.alice, incident=self.incident, reporter_name="防災課長")
        filed, corrected, issued = self.entries()
        self.assertEqual(filed.content, f"被害報告 #{report.pk} 受付（住家被害・両津）: 全壊 2棟、床上浸水 14世帯")
        self.assertEqual((filed.sender, filed.district), ("両津支所", self.ryotsu))
        self.assertNotIn("山田", filed.content)  # the free text (it may name people) stays out of the chronology
        self.assertIn("訂正 第2版", corrected.content)
        self.assertIn("全壊 3棟", corrected.content)
        self.assertTrue(issued.content.startswith("第4号様式 第1報 発出"))
        self.assertEqual(issued.link, f"/hq/damage/incidents/{self.incident.pk}/issued/1/")
