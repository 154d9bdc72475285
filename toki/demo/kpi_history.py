"""A believable past for the demo's measured KPIs (docs/kpi.md, issue 18): what Toki would have recorded had it been
in use since the 公式LINE account was connected, made through the same actions people use, each at its own time
(freezegun moves the clock; nothing is written into the tables directly):

- LINE: residents following the account since June 2025 (a few a day, a surge during the July 2026 rain), some of
  them blocking it later, through the actions the LINE webhook calls (公式LINE登録者数);
- the heavy rain of 12–13 July 2026, a real incident: HQ opens it and establishes the 災害対策本部, writes the
  chronology, issues and lifts a level-3 order for 両津, gives the branch offices instructions that they
  acknowledge, the branch offices file damage reports and HQ issues 第1報 and 第2報, the demo shelter opens and
  checks households in from its tablet (対策本部での利用率, アカウント利用率, the two 短縮時間, 受付システム整備);
- the minutes the damage report and the instructions took before Toki, recorded once by the plan administrator
  (the baselines of the 短縮時間 KPIs; the figures are the demo's, a city measures its own).

Run once by seed_demo (again it does nothing: the incident is found by name)."""

import random
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from freezegun import freeze_time

from toki.accounts.models import OrgUnit, User
from toki.alerts.actions.orders import issue_evacuation_order, lift_evacuation_orders
from toki.areas.models import District, Municipality
from toki.demo.shelters import demo_shelter
from toki.hq.actions import chronology
from toki.hq.actions.incidents import close_incident, open_incident, set_hq_status
from toki.hq.actions.instructions import acknowledge_instruction, complete_instruction, give_instruction
from toki.hq.damage import actions as damage_actions
from toki.hq.damage.selectors import active_definition
from toki.hq.models import Incident
from toki.kpi.actions import set_baseline
from toki.kpi.models import Kpi
from toki.notify.actions.subscriptions import follow_line_user, unfollow_line_user
from toki.shelters.actions.openings import close_opening, open_shelter
from toki.shelters.actions.sync import EventIn, apply_events

ZONE = ZoneInfo(settings.TIME_ZONE)
INCIDENT_NAME = "令和8年7月12日からの大雨"
RAIN_STARTS = datetime(2026, 7, 12, 5, 40, tzinfo=ZONE)
LINE_FROM = date(2025, 6, 1)
# Minutes the work took before Toki (FAX and telephone, tallied by hand): the demo's baselines.
BASELINES = {"damage-minutes-saved": Decimal(120), "instruction-minutes-saved": Decimal(180)}
# Made-up households checked in at the demo shelter: (name, reading, birth date, other members).
HOUSEHOLDS = (("佐渡 花子", "サド ハナコ", "1948-04-02", 1), ("両津 太郎", "リョウツ タロウ", "1939-11-20", 0),
              ("加茂 美知", "カモ ミチ", "1952-02-14", 2), ("夷 健", "エビス ケン", "1985-07-30", 3),
              ("湊 良子", "ミナト ヨシコ", "1944-09-09", 0))


def seed_kpi_history(municipality: Municipality, *, today: date | None = None) -> Incident | None:
    """The LINE follows, the July 2026 disaster and the baselines; None when already seeded or not yet past."""
    today = today or datetime.now(ZONE).date()
    if Incident.objects.filter(municipality=municipality, name=INCIDENT_NAME).exists():
        return None
    if today <= (RAIN_STARTS + timedelta(days=2)).date():
        return None
    users = {u.username: u for u in User.objects.filter(username__in=("alice", "bob", "carol", "frank"))}
    with freeze_time(datetime.combine(LINE_FROM, datetime.min.time(), tzinfo=ZONE), tick=True) as clock:
        incident = _rain(municipality, users, clock)
        _line_followers(municipality, clock, until=today)
    for code, minutes in BASELINES.items():
        kpi = Kpi.objects.filter(measure__goal__plan__municipality=municipality, code=code).first()
        if kpi is not None and kpi.baseline is None:
            set_baseline(kpi, baseline=minutes, acting_user=users["alice"])
    return incident


def _line_followers(municipality, clock, *, until: date) -> int:
    """Residents following day by day: 2–5 a day, 40 more on each day of the rain; one in twelve blocks the account
    within four months. Returns the follows."""
    rng = random.Random(152242)  # noqa: S311 - made-up demo residents, the same every time
    rain_days = (RAIN_STARTS.date(), RAIN_STARTS.date() + timedelta(days=1))
    happenings: list[tuple[datetime, str, str]] = []
    day = LINE_FROM
    while day < until:
        midnight = datetime.combine(day, datetime.min.time(), tzinfo=ZONE)
        for _ in range(rng.randint(2, 5) + (40 if day in rain_days else 0)):
            user_id = "U" + uuid.UUID(int=rng.getrandbits(128)).hex
            followed = midnight + timedelta(minutes=rng.randint(420, 1380))
            happenings.append((followed, "follow", user_id))
            if rng.random() < 1 / 12:
                happenings.append((followed + timedelta(days=rng.randint(1, 120)), "leave", user_id))
        day += timedelta(days=1)
    for moment, what, user_id in sorted(happenings):
        if moment.date() >= until:
            continue
        clock.move_to(moment)
        if what == "follow":
            follow_line_user(municipality=municipality, user_id=user_id)
        else:
            unfollow_line_user(user_id=user_id)
    return sum(1 for _moment, what, _user in happenings if what == "follow")


def _rain(municipality, users, clock) -> Incident:
    """The disaster as a timeline of (hours after the rain began, step), each step run at its time."""
    alice, bob, frank, carol = users["alice"], users["bob"], users.get("frank"), users["carol"]
    districts = {d.code: d for d in District.objects.filter(municipality=municipality)}
    ryotsu, aikawa = districts["ryotsu"], districts["aikawa"]
    offices = {o.name: o for o in OrgUnit.objects.filter(name__in=("両津支所", "相川支所"))}
    shelter = demo_shelter(municipality)
    done: dict = {}

    def instruct(key, office, title):
        if offices.get(office) is not None:
            done[key] = give_instruction(acting_user=alice, incident=done["incident"], title=title,
                                         to_org_unit=offices[office])

    def answer(key, user, step):
        if key in done and user is not None:
            step(acting_user=user, instruction=done[key], **({} if step is acknowledge_instruction else
                                                               {"result": "対応しました"}))

    def report(user, district, counts):
        if user is not None and active_definition() is not None:
            damage_actions.file_report(acting_user=user, incident=done["incident"], category="roads", counts=counts,
                                       district=district)

    def issue():
        if active_definition() is not None:
            damage_actions.issue_report(acting_user=alice, incident=done["incident"],
                                        reporter_name="佐渡市災害対策本部")

    def check_in(household):
        if done.get("opening") is not None:
            _check_in(carol, done["opening"], *household)

    timeline = [
        (0.0, lambda: done.update(incident=open_incident(
            acting_user=alice, municipality=municipality, name=INCIDENT_NAME, kind="heavy_rain",
            districts=[ryotsu, aikawa], started_at=RAIN_STARTS,
            description="線状降水帯による大雨。両津・相川で河川増水と土砂災害のおそれ。"))),
        (0.3, lambda: set_hq_status(acting_user=alice, incident=done["incident"], level="disaster_hq")),
        (0.35, lambda: chronology.write_entry(acting_user=alice, incident=done["incident"],
                                              content="災害対策本部を設置。第1回本部会議を7時に開催。")),
        (0.8, lambda: done.update(orders=issue_evacuation_order(
            acting_user=alice, districts=[ryotsu], level=3, hazard="flood",
            reason="加茂湖周辺の河川が増水しています。高齢の方は早めに避難してください。"))),
        (0.9, lambda: done.update(opening=open_shelter(acting_user=alice, shelter=shelter, incident=done["incident"])
                                  if shelter is not None else None)),
        (1.0, lambda: instruct("roads", "両津支所", "両津地区の道路・河川の被害状況を報告してください")),
        (1.2, lambda: instruct("slopes", "相川支所", "相川地区の土砂災害危険箇所を巡回してください")),
        (1.0 + 22 / 60, lambda: answer("roads", bob, acknowledge_instruction)),
        (1.2 + 35 / 60, lambda: answer("slopes", frank, acknowledge_instruction)),
        *[(1.5 + n * 0.4, lambda h=household: check_in(h)) for n, household in enumerate(HOUSEHOLDS)],
        (2.1, lambda: report(bob, ryotsu, {"sites_roads": 2})),
        (2.6, lambda: report(frank, aikawa, {"sites_roads": 1})),
        (2.6 + 36 / 60, issue),  # 第1報, 36 minutes after the last report it contains
        (3.4, lambda: answer("roads", bob, complete_instruction)),
        (4.1, lambda: answer("slopes", frank, complete_instruction)),
        (6.0, lambda: instruct("blankets", "両津支所", "避難所への毛布の配送状況を確認してください")),
        (6.0 + 14 / 60, lambda: answer("blankets", bob, acknowledge_instruction)),
        (7.5, lambda: report(bob, ryotsu, {"sites_roads": 1})),
        (7.5 + 24 / 60, issue),  # 第2報
        (8.2, lambda: answer("blankets", bob, complete_instruction)),
        (20.0, lambda: lift_evacuation_orders(acting_user=alice, orders=done["orders"],
                                              reason="河川の水位が下がりました。")),
        (20.2, lambda: done.get("opening") and close_opening(acting_user=alice, opening=done["opening"])),
        (30.0, lambda: chronology.write_entry(acting_user=alice, incident=done["incident"],
                                              content="災害対策本部を廃止。")),
        (30.1, lambda: set_hq_status(acting_user=alice, incident=done["incident"], level=None)),
        (30.2, lambda: close_incident(acting_user=alice, incident=done["incident"])),
    ]
    for hours, step in sorted(timeline, key=lambda row: row[0]):
        clock.move_to(RAIN_STARTS + timedelta(hours=hours))
        step()
    return done["incident"]


def _check_in(user, opening, name: str, kana: str, birth: str, extra: int) -> None:
    """A household registered and checked in on the shelter's tablet (the offline sync's events)."""
    household = str(uuid.uuid4())
    members = [{"id": str(uuid.uuid4()), "name": name, "name_kana": kana, "birth_date": birth}]
    members += [{"id": str(uuid.uuid4())} for _ in range(extra)]
    now = timezone.now().isoformat()
    results = apply_events(acting_user=user, opening=opening, device_id="demo-tablet", events=[
        EventIn(id=uuid.uuid4(), type="register_household", occurred_at=now,
                payload={"household_id": household, "members": members}),
        EventIn(id=uuid.uuid4(), type="check_in", occurred_at=now, payload={"household_id": household})])
    refused = [r for r in results if r["status"] != "applied"]
    if refused:
        raise RuntimeError(f"the demo shelter refused a check-in: {refused}")
