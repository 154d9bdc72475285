"""Merging rows imported before sites existed (migration 0005, manage.py merge_shelter_sites): one Shelter per
site, with every opening, check-in, team and pre-registration kept."""

from io import StringIO

from django.core.management import call_command

from toki.accounts.models import AuditEvent, OrgUnit
from toki.hq.actions import open_incident
from toki.shelters.actions import openings as opening_actions
from toki.shelters.actions.households import pre_register
from toki.shelters.actions.master import link_shelter_team, update_shelter_details
from toki.shelters.models import Registration, Shelter, ShelterDesignation, ShelterOpening, ShelterTeam
from toki.shelters.tests.world import register_and_check_in
from toki.test import BaseTestCase


def old_row(municipality, common_id: str, *, emergency: bool, name="七浦小学校体育館",
            address="新潟県佐渡市稲鯨1312　", lat=37.975521, lon=138.236001) -> Shelter:
    """A row as the importer wrote it before issue 14: one per listing, no ShelterDesignation."""
    flags = ({"is_emergency_site": True, "hazard_landslide": True, "hazard_tsunami": True} if emergency
             else {"is_designated_shelter": True, "accepted_people": "地区住民"})
    return Shelter.objects.create(common_id=common_id, municipality=municipality, name=name, address=address,
                                  lat=lat, lon=lon, source="gsi-geojson", shares_site_with_other_designation=True,
                                  **flags)


class SiteMergeTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        m = cls.municipality
        cls.shelter_row = old_row(m, "E1522400001111", emergency=False)
        cls.site_row = old_row(m, "E1522400001201", emergency=True, name="七浦小学校体育館 ", lat=37.97556)
        cls.lonely = old_row(m, "E1522400003201", emergency=True, name="番所公園", address="新潟県佐渡市羽茂村山455",
                             lat=37.859532, lon=138.304705)
        cls.incident = open_incident(acting_user=cls.alice, municipality=m, name="大雨", kind="heavy_rain")

    def merge(self) -> str:
        out = StringIO()
        call_command("merge_shelter_sites", stdout=out)
        return out.getvalue()

    def test_it_merges_the_two_listings_of_one_site_and_keeps_everything_that_points_at_them(self):
        team = OrgUnit.objects.get(kind=OrgUnit.Kind.SHELTER_TEAM)
        link_shelter_team(acting_user=None, org_unit=team, shelter=self.site_row)
        update_shelter_details(acting_user=self.alice, shelter=self.site_row, capacity=120)
        opening = opening_actions.open_shelter(acting_user=self.alice, shelter=self.site_row, incident=self.incident)
        register_and_check_in(self.carol, opening)
        household = pre_register(municipality=self.municipality, household={},
                                 members=[{"name": "佐渡 花子", "name_kana": "サド ハナコ"}],
                                 planned_shelter=self.site_row)

        out = self.merge()

        self.assertIn("1 duplicate rows merged, 0 left", out)
        site = Shelter.objects.get(name="七浦小学校体育館")
        self.assertEqual(site.pk, self.shelter_row.pk)  # the 指定避難所 row is kept
        self.assertEqual((site.is_designated_shelter, site.is_emergency_site), (True, True))
        self.assertEqual((site.hazard_landslide, site.hazard_tsunami, site.capacity), (True, True, 120))
        self.assertEqual(site.accepted_people, "地区住民")
        self.assertEqual(site.lat, 37.975521)  # the 指定避難所 point
        self.assertEqual(sorted(site.designations.values_list("common_id", flat=True)),
                         ["E1522400001111", "E1522400001201"])
        self.assertEqual(ShelterOpening.objects.get(pk=opening.pk).shelter_id, site.pk)
        self.assertEqual(Registration.objects.filter(opening=opening, state="checked_in").count(), 1)
        self.assertTrue(ShelterTeam.objects.filter(org_unit=team, shelter=site).exists())
        household.refresh_from_db()
        self.assertEqual(household.planned_shelter_id, site.pk)
        self.assertEqual(Shelter.objects.count(), 2)
        event = AuditEvent.objects.get(action="shelters.sites.merge")
        self.assertEqual(event.changes["merged"], [self.site_row.pk])

    def test_it_is_idempotent_and_a_later_import_finds_the_merged_site(self):
        self.merge()
        self.assertIn("nothing to merge", self.merge())
        from toki.shelters.tests.files import GSI_CSV_UTF8_BOM

        out = StringIO()
        call_command("import_shelters", str(GSI_CSV_UTF8_BOM), "--no-progress", stdout=out)
        self.assertIn("3 rows: 1 created", out.getvalue())  # 市役所相川支所 is new; the other two are known
        self.assertEqual(Shelter.objects.filter(name="七浦小学校体育館").count(), 1)
        self.assertEqual(ShelterDesignation.objects.count(), 4)

    def test_it_leaves_a_site_whose_two_rows_are_open_for_the_same_incident(self):
        for row in (self.shelter_row, self.site_row):
            opening_actions.open_shelter(acting_user=self.alice, shelter=row, incident=self.incident)
        out = self.merge()
        self.assertIn("not merged, two of its rows have a live opening for the same incident", out)
        self.assertEqual(Shelter.objects.filter(name__startswith="七浦").count(), 2)
        for opening in ShelterOpening.objects.filter(shelter=self.site_row):
            opening_actions.close_opening(acting_user=self.alice, opening=opening)
        self.assertIn("1 duplicate rows merged", self.merge())
        self.assertEqual(Shelter.objects.filter(name__startswith="七浦").count(), 1)
