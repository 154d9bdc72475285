"""The Sado demo service (never needed in production): two areas, 両津 and 相川, each with vehicles, a driver per
vehicle, shifts, a booking rule, fares and meeting points at public facilities. The coordinates of the meeting
points are the GSI designated shelter and evacuation site data for 佐渡市 (国土地理院「指定緊急避難場所・指定避難所
データ」, ../shared/sado_gsi_shelters/): real public facilities. The area polygons are hand-drawn rectangles around
the towns' outskirts, not official boundaries."""

from datetime import time
from typing import Any

from django.db import transaction

from toki.areas.models import District
from toki.transport.rides.models import (
    BookingRule,
    Driver,
    FareCategory,
    MeetingPoint,
    ServiceArea,
    Shift,
    Vehicle,
)


def _box(south: float, west: float, north: float, east: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north],
                                                [west, south]]]}


AREAS: list[dict[str, Any]] = [
    {
        "code": "ryotsu", "name": "両津地区", "district": "ryotsu", "box": (38.04, 138.38, 38.12, 138.47),
        "depot": (38.080515, 138.43526),  # 市役所両津支所
        "points": [
            ("ryotsu-office", "市役所両津支所", 38.080515, 138.43526),
            ("ryotsu-hospital", "両津病院", 38.088181, 138.43027),
            ("aiport", "あいぽーと佐渡", 38.083739, 138.436341),
            ("ryotsu-gym", "両津総合体育館", 38.093063, 138.431554),
            ("ryotsu-jhs", "両津中学校", 38.091496, 138.427683),
            ("yoshii-es", "両津吉井小学校", 38.065879, 138.408829),
            ("kanai-east-cc", "金井東部地区コミュニティセンター", 38.048674, 138.394743),
            ("ryotsu-fire", "両津消防署", 38.074724, 138.441151),
        ],
        "vehicles": [("ryotsu-1", "両津1号車", 9, 1), ("ryotsu-2", "両津2号車", 9, 0), ("ryotsu-3", "両津3号車", 4, 1)],
    },
    {
        "code": "aikawa", "name": "相川地区", "district": "aikawa", "box": (37.99, 138.22, 38.08, 138.29),
        "depot": (38.032787, 138.239214),  # 市役所相川支所
        "points": [
            ("aikawa-office", "市役所相川支所", 38.032787, 138.239214),
            ("aikawa-centre", "あいかわ開発総合センター", 38.035601, 138.236783),
            ("aikawa-gym", "相川体育館", 38.036121, 138.236692),
            ("aikawa-es", "相川小学校", 38.027277, 138.240785),
            ("aikawa-jhs", "相川中学校", 38.024124, 138.243799),
            ("tenjin-park", "天神の杜農村公園", 38.008096, 138.280105),
        ],
        "vehicles": [("aikawa-1", "相川1号車", 9, 1), ("aikawa-2", "相川2号車", 4, 0)],
    },
]

FARES = [("general", "一般", 300), ("senior", "65歳以上", 200), ("disability", "障害者手帳", 100),
         ("child", "小学生以下", 0)]


def seed_rides_demo(municipality) -> list[ServiceArea]:
    """Create (or leave as they are) the demo areas; safe to run twice."""
    areas = []
    with transaction.atomic():
        for spec in AREAS:
            district = District.objects.filter(municipality=municipality, code=spec["district"]).first()
            area, created = ServiceArea.objects.get_or_create(
                municipality=municipality, code=spec["code"],
                defaults={"name": spec["name"], "district": district, "geometry": _box(*spec["box"]),
                          "phone_number": "0259-00-0000", "weekdays": "123456"})
            areas.append(area)
            if not created:
                continue
            BookingRule.objects.create(area=area, kind=BookingRule.Kind.SAME_DAY, min_notice_minutes=30,
                                       prior_day_cutoff=time(17, 0), max_days_ahead=7,
                                       message="前日17時まで、または当日30分前までにご予約ください。")
            for code, name, price in FARES:
                FareCategory.objects.create(area=area, code=code, name=name, price_yen=price)
            for code, name, lat, lon in spec["points"]:
                MeetingPoint.objects.create(area=area, code=code, name=name, lat=lat, lon=lon)
            for i, (code, name, seats, wheelchairs) in enumerate(spec["vehicles"]):
                vehicle = Vehicle.objects.create(area=area, code=code, name=name, seats=seats,
                                                 wheelchair_spaces=wheelchairs, depot_lat=spec["depot"][0],
                                                 depot_lon=spec["depot"][1])
                driver = Driver.objects.create(area=area, name=f"{name} 運転手")
                Shift.objects.create(vehicle=vehicle, driver=driver, weekdays="123456",
                                     start=time(8 + i % 2, 0), end=time(17 + i % 2, 0))
    return areas
