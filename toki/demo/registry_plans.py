"""The registry demo's 個別避難計画 (issue 16): three made-up plans — one complete (its supporter consented), one
waiting for its supporter's answer, one in 両津 by a care professional — and a made-up hazard polygon for 両津,
marked as demo data. Everything through the registry's actions, like a user would."""

import json
from datetime import timedelta

from django.utils import timezone

from toki.areas.models import District
from toki.registry import actions as registry_actions
from toki.registry import actions_plans
from toki.registry.hazards import load_layer
from toki.registry.models import Consent, HazardLayer, Person, Plan, RecipientClass, Scope
from toki.shelters.selectors import nearest_shelters

DEMO_HAZARD = "両津 浸水想定区域 (デモ・架空)"
# A made-up polygon around the 両津 harbour and 加茂湖 shore (longitude, latitude): not a real hazard map.
DEMO_HAZARD_RING = [[138.425, 38.072], [138.452, 38.072], [138.452, 38.092], [138.425, 38.092], [138.425, 38.072]]
# (kana, author, home, supporter state, supporter name); the route goes to the nearest designated shelter.
PLANS = (
    ("アイカワ ハナ", "local", [38.0365, 138.2395], Consent.State.CONSENTED, "相川 シエン"),
    ("アイカワ トメ", "city", [38.0342, 138.2378], Consent.State.NO_ANSWER, "相川 トナリ"),
    ("リョウツ ミツ", "care", [38.0805, 138.4380], Consent.State.CONSENTED, "両津 ケアマネ"),
)


def _destination(person: Person, home: list[float]):
    nearest = nearest_shelters(home[0], home[1], limit=1, municipality=person.district.municipality)
    return nearest[0].shelter if nearest else None


def _waypoints(home: list[float], shelter) -> list[list[float]]:
    """Two made-up bends between the home and the shelter (a demo route, not a road)."""
    if shelter is None:
        return []
    lat, lon = shelter.lat - home[0], shelter.lon - home[1]
    return [[round(home[0] + lat / 3, 6), round(home[1] + lon / 3 + 0.0006, 6)],
            [round(home[0] + lat * 2 / 3 + 0.0006, 6), round(home[1] + lon * 2 / 3, 6)]]


def create_plan_demo(municipality, *, officer, minsei) -> None:
    """Plan consents, the plans and the demo hazard layer. Idempotent (a person with a plan is left alone)."""
    today = timezone.localdate()
    kanas = {kana for kana, *_ in PLANS}
    people = {p.name_kana: p for p in Person.objects.filter(district__municipality=municipality)
              .select_related("district").only("id", "name_kana", "district", "status")
              if p.name_kana in kanas}
    for kana, author, home, supporter_state, supporter in PLANS:
        person = people.get(kana)
        if person is None or Plan.objects.filter(person=person).exists():
            continue
        klass = RecipientClass.MINSEI
        registry_actions.record_consent(actor=officer, person=person, recipient_class=klass, scope=Scope.PLAN,
                                        state=Consent.State.CONSENTED, text_version="sado-plan-2026-1",
                                        method=Consent.Method.VISIT)
        writer = minsei if author == "local" else officer
        shelter = _destination(person, home)
        route = _waypoints(home, shelter)
        plan = actions_plans.save_plan(actor=writer, person=person, data=actions_plans.PlanInput(
            author_kind=author, author_name="民生委員 ミナ" if author == "local" else "",
            review_due=today + timedelta(days=365), destination_shelter=shelter,
            destination_other="" if shelter else "長男宅",
            destination_point=None if shelter else [home[0] + 0.004, home[1] + 0.004], home_point=home,
            route=route, considerations="歩行器を使用。耳が遠いので大きな声で、ゆっくり。",
            carry_items=["お薬手帳", "常備薬 3日分", "眼鏡", "補聴器の電池"],
            timing_note="警戒レベル3 高齢者等避難で出発。夜間は前日のうちに。",
            family_contacts=[{"name": "デモ 長男", "relation": "長男", "phone": "090-0000-0000"}]))
        actions_plans.add_supporter(actor=writer, plan=plan, name=supporter, phone="0259-00-1111",
                                    relation="neighbour", role="声かけと付き添い", state=supporter_state,
                                    text_version="sado-supporter-2026-1", method=Consent.Method.VISIT,
                                    given_on=today)
    has_ryotsu = District.objects.filter(municipality=municipality, code="ryotsu").exists()
    if has_ryotsu and not HazardLayer.objects.filter(municipality=municipality, name=DEMO_HAZARD).exists():
        data = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": DEMO_HAZARD},
                                                           "geometry": {"type": "Polygon",
                                                                        "coordinates": [DEMO_HAZARD_RING]}}]}
        load_layer(actor=officer, municipality=municipality, data=json.dumps(data).encode(), name=DEMO_HAZARD,
                   hazard="flood", source="Toki demo: a made-up polygon, not a hazard map", is_demo=True)
