"""The Sado demo lifelines, all normal (`manage.py seed_lifelines_demo`, called by `seed_demo`). Never needed in
production: a real site adds its lifelines on the staff page or through an import."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from toki.accounts import actions as account_actions
from toki.accounts.models import OrgUnit
from toki.lifelines.actions import report_status, save_lifeline
from toki.lifelines.models import Kind, Lifeline, Status

SADO_KISEN = "https://www.sadokisen.co.jp/"
CITY = "https://www.city.sado.niigata.jp/"
WATER_SOURCE = "佐渡市 上下水道課"


@dataclass(frozen=True)
class DemoLifeline:
    code: str
    kind: str
    name: str
    source: str
    source_url: str = ""
    district: str | None = None
    partner: str | None = None
    detail: str = ""
    scheduled_service: bool = True


PARTNERS = {"佐渡汽船": OrgUnit.Kind.PARTNER, "東北電力ネットワーク 佐渡電力センター": OrgUnit.Kind.PARTNER}


def demo_lifelines(district_names: dict[str, str]) -> list[DemoLifeline]:
    ferries = [
        DemoLifeline("sado-kisen-ryotsu-niigata-ferry", Kind.FERRY, "佐渡汽船 両津–新潟 カーフェリー", "佐渡汽船",
                     SADO_KISEN, "ryotsu", "佐渡汽船", "通常どおり運航しています"),
        DemoLifeline("sado-kisen-ryotsu-niigata-jetfoil", Kind.FERRY, "佐渡汽船 両津–新潟 ジェットフォイル",
                     "佐渡汽船", SADO_KISEN, "ryotsu", "佐渡汽船", "通常どおり運航しています"),
        DemoLifeline("sado-kisen-ogi-naoetsu", Kind.FERRY, "佐渡汽船 小木–直江津 カーフェリー", "佐渡汽船",
                     SADO_KISEN, "ogi", "佐渡汽船", "通常どおり運航しています"),
    ]
    others = [
        DemoLifeline("sado-airport", Kind.FLIGHT, "佐渡空港", "佐渡市", CITY, "ryotsu", None,
                     "定期便はありません（空港は通常どおり）", scheduled_service=False),
        DemoLifeline("tohoku-epco-sado", Kind.POWER, "東北電力 佐渡（電力供給）", "東北電力ネットワーク",
                     "https://nw.tohoku-epco.co.jp/", None, "東北電力ネットワーク 佐渡電力センター",
                     "停電はありません"),
        DemoLifeline("route-350", Kind.ROAD, "国道350号", "新潟県 佐渡地域振興局", "", None, None,
                     "通行止めはありません"),
        DemoLifeline("ntt-east-sado", Kind.TELECOM, "NTT東日本 固定電話・光回線", "NTT東日本",
                     "https://www.ntt-east.co.jp/", None, None, "通常どおり利用できます"),
        DemoLifeline("mobile-sado", Kind.TELECOM, "携帯電話（ドコモ・au・ソフトバンク・楽天モバイル）",
                     "各携帯電話会社", "", None, None, "通常どおり利用できます"),
    ]
    water = [DemoLifeline(f"city-water-{code}", Kind.WATER, f"市水道 {name}地区", WATER_SOURCE, CITY, code, None,
                          "断水はありません") for code, name in district_names.items()]
    return ferries + others + water


def seed_lifelines(municipality) -> list[Lifeline]:
    """Create the demo lifelines that are missing, each with one "normal" report. Safe to run again."""
    districts = {d.code: d for d in municipality.districts.defer("boundary")}
    existing = {ll.code: ll for ll in Lifeline.objects.filter(municipality=municipality)}
    partners = {}
    made = []
    with transaction.atomic():
        for order, item in enumerate(demo_lifelines({code: d.name for code, d in districts.items()})):
            lifeline = existing.get(item.code)
            if lifeline is None:
                if item.partner and item.partner not in partners:
                    partners[item.partner] = account_actions.ensure_org_unit(
                        acting_user=None, name=item.partner, kind=PARTNERS[item.partner])
                lifeline = save_lifeline(
                    acting_user=None, municipality=municipality, code=item.code, kind=item.kind, name=item.name,
                    district=districts.get(item.district), org_unit=partners.get(item.partner),
                    scheduled_service=item.scheduled_service, sort_order=order,
                )
            if lifeline.status_as_of is None:
                report_status(acting_user=None, lifeline=lifeline, status=Status.NORMAL, source=item.source,
                              source_url=item.source_url, detail=item.detail, as_of=timezone.now())
            made.append(lifeline)
    return made
