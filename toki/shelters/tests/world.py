"""A shelter world for tests: two shelters (carol's team runs the first), an active incident, an opening."""

import uuid

from django.utils import timezone

from toki.accounts import actions as account_actions
from toki.accounts.models import OrgUnit, Role
from toki.hq.actions import open_incident
from toki.shelters.actions import openings as opening_actions
from toki.shelters.actions.master import link_shelter_team
from toki.shelters.actions.sync import EventIn, apply_events
from toki.shelters.models import Shelter
from toki.test import PERSONA_PASSWORD


def make_shelter(municipality, common_id: str, name: str, lat: float, lon: float, capacity=None) -> Shelter:
    return Shelter.objects.create(common_id=common_id, municipality=municipality, name=name, lat=lat, lon=lon,
                                  is_designated_shelter=True, capacity=capacity, source="gsi-geojson")


class ShelterWorldMixin:
    @classmethod
    def create_shelter_world(cls, *, is_drill: bool = False):
        m = cls.municipality
        cls.shelter = make_shelter(m, "E1522400009111", "両津小学校体育館", 38.0790, 138.4370, capacity=10)
        cls.other_shelter = make_shelter(m, "E1522400009211", "相川中学校体育館", 38.0300, 138.2400)
        cls.team = OrgUnit.objects.get(kind=OrgUnit.Kind.SHELTER_TEAM)
        link_shelter_team(acting_user=None, org_unit=cls.team, shelter=cls.shelter)
        cls.incident = open_incident(acting_user=cls.alice, municipality=m, name="大雨", kind="heavy_rain",
                                     is_drill=is_drill)
        cls.opening = opening_actions.open_shelter(acting_user=cls.alice, shelter=cls.shelter,
                                                   incident=cls.incident)

    @classmethod
    def create_second_team(cls):
        """frank: a second shelter-team persona, editor of the team that runs the other shelter, which HQ opens in
        the same incident (`other_opening`). Made through the same actions as the personas."""
        cls.frank = account_actions.ensure_user(acting_user=None, username="frank", display_name="避難所運営 フランク",
                                                password=PERSONA_PASSWORD)
        unit = account_actions.ensure_org_unit(acting_user=None, name="相川中学校 避難所運営班",
                                               kind=OrgUnit.Kind.SHELTER_TEAM)
        account_actions.grant_membership(acting_user=None, user=cls.frank, org_unit=unit, role=Role.EDITOR)
        link_shelter_team(acting_user=None, org_unit=unit, shelter=cls.other_shelter)
        cls.other_opening = opening_actions.open_shelter(acting_user=cls.alice, shelter=cls.other_shelter,
                                                         incident=cls.incident)


def event(type_: str, payload: dict, *, event_id=None, occurred_at=None) -> EventIn:
    return EventIn(id=event_id or uuid.uuid4(), type=type_,
                   occurred_at=(occurred_at or timezone.now()).isoformat(), payload=payload)


def household_payload(kana: str = "サド ハナコ", birth_date: str | None = "1948-04-02", extra: int = 0,
                      **fields) -> dict:
    members = [{"id": str(uuid.uuid4()), "name": "佐渡 花子", "name_kana": kana, "birth_date": birth_date,
                "sex": "female", "care_needs": ["elderly"]}]
    members += [{"id": str(uuid.uuid4())} for _ in range(extra)]
    return {"household_id": str(uuid.uuid4()), "members": members, **fields}


def register_and_check_in(user, opening, **kwargs) -> dict:
    payload = household_payload(**kwargs)
    results = apply_events(acting_user=user, opening=opening, device_id="test", events=[
        event("register_household", payload), event("check_in", {"household_id": payload["household_id"]})])
    assert [r["status"] for r in results] == ["applied", "applied"], results
    return payload
