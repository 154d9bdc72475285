"""Two 自治会 with their 班 and leaders, and households: shared by the demo (seed_community_demo) and the tests."""

from toki.accounts import actions as account_actions
from toki.accounts.models import OrgUnit, Role
from toki.community import actions
from toki.community.models import Han, Household, Jichikai

JICHIKAI = (  # name, district code, 班, leader username, leader display name
    ("両津 夷 自治会", "ryotsu", ("1班", "2班"), "kenji", "夷自治会長 ケンジ"),
    ("相川 下戸 自治会", "aikawa", ("1班", "2班"), "michiko", "下戸自治会長 ミチコ"),
)
HOUSEHOLDS = (  # label, 自治会 index, 班 index, watch-over
    ("佐渡 ハナ 様", 0, 0, True), ("本間 トメ 様", 0, 0, False), ("渡辺 キヨ 様", 0, 1, True),
    ("市橋 イネ 様", 0, 1, False), ("金子 ミツ 様", 0, 0, False), ("中川 フミ 様", 1, 0, True),
    ("山本 シズ 様", 1, 0, False), ("石塚 ハル 様", 1, 1, False), ("北 ヨシ 様", 1, 1, True),
    ("佐藤 タケ 様", 1, 0, False),
)


def ensure_jichikai(municipality, name: str, district, hans, leader=None) -> Jichikai:
    """The 自治会 with its org unit (kind 'community') and 班, its leader a reporter of the org unit."""
    org_unit = account_actions.ensure_org_unit(acting_user=None, name=name, kind=OrgUnit.Kind.COMMUNITY,
                                               district=district)
    jichikai, _created = Jichikai.objects.get_or_create(
        municipality=municipality, name=name, defaults={"district": district, "org_unit": org_unit})
    for han in hans:
        Han.objects.get_or_create(jichikai=jichikai, name=han)
    if leader is not None:
        account_actions.grant_membership(acting_user=None, user=leader, org_unit=org_unit, role=Role.REPORTER)
    return jichikai


def create_community_world(municipality, password: str) -> dict:
    """Idempotent: the two 自治会, their leaders (kenji, michiko) and ten households."""
    districts = {d.code: d for d in municipality.districts.all()}
    leaders, areas = {}, []
    for name, code, hans, username, display in JICHIKAI:
        leader = account_actions.ensure_user(acting_user=None, username=username, display_name=display,
                                             password=password)
        leaders[username] = leader
        areas.append(ensure_jichikai(municipality, name, districts[code], hans, leader))
    households = []
    for label, area_index, han_index, watch in HOUSEHOLDS:
        jichikai = areas[area_index]
        found = Household.objects.filter(municipality=municipality, label=label).first()
        if found is None:
            han = jichikai.hans.order_by("name")[han_index]
            found = actions.create_household(acting_user=None, municipality=municipality,
                                             district=jichikai.district, label=label, jichikai=jichikai, han=han,
                                             watch_over=watch, resident_name=label.removesuffix(" 様"))
        households.append(found)
    return {"leaders": leaders, "jichikai": areas, "households": households}
