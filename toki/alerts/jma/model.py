"""The normalised, immutable model of a JMA telegram. Field by field in docs/jma-parser.md.

Values stay in JMA's own vocabulary (statuses such as 発表/継続/解除, intensities such as "5-", kind names),
so nothing is lost in translation; rendering for people happens elsewhere, from the codes.
"""

from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from typing import Any

from toki.alerts.jma.catalogue import MessageType


@dataclass(frozen=True, slots=True)
class Area:
    """A place named by code within a code system (code_type); a code means nothing without its system."""

    name: str
    code: str
    code_type: str  # JMA's codeType, or the one implied by the element's position when the XML omits it
    city_code: str = ""  # the 市町村等 code an area belongs to, where the telegram gives it (river flood areas)


@dataclass(frozen=True, slots=True)
class KindRef:
    name: str
    code: str


@dataclass(frozen=True, slots=True)
class HeadlineKind:
    name: str
    code: str
    condition: str
    level: int | None  # 警戒レベル / 噴火警戒レベル when the kind's name carries it ("レベル４…")


@dataclass(frozen=True, slots=True)
class HeadlineItem:
    """Head/Headline/Information/Item: the summary JMA puts in every telegram's head."""

    information_type: str
    kinds: tuple[HeadlineKind, ...]
    areas: tuple[Area, ...]


@dataclass(frozen=True, slots=True)
class Significancy:
    """A 危険度 value attached to a warning kind (R06: e.g. 土砂災害危険度 = 警戒レベル４相当, code 41)."""

    type: str
    name: str
    code: str
    local_area: str = ""  # a part of the area the value applies to (陸上, 海上, 舞鶴湾 …), "" for all of it


@dataclass(frozen=True, slots=True)
class WarningKind:
    name: str
    code: str
    status: str  # 発表, 継続, 解除, 発表警報・注意報はなし, なし, 対象地域 … exactly as in the XML
    level: int | None  # 警戒レベル carried by the telegram (R06 names, 土砂災害警戒情報, river texts)
    condition: str = ""  # e.g. 土砂災害、浸水害
    last_kind: KindRef | None = None
    significancies: tuple[Significancy, ...] = ()
    notes: tuple[str, ...] = ()  # Addition and Attention notes (突風, 浸水警戒 …)
    text: str = ""  # free text of the kind (river 主文)


@dataclass(frozen=True, slots=True)
class WarningItem:
    """One Body/Warning/Item: the kinds in force for its area(s), at one area level (Warning/@type)."""

    warning_type: str  # e.g. 気象警報・注意報（市町村等）
    areas: tuple[Area, ...]
    kinds: tuple[WarningKind, ...]
    change_status: str = ""  # 変化無 / 警報・注意報種別に変化有
    full_status: str = ""  # 全域 / 一部
    stations: tuple[Area, ...] = ()  # river gauges


@dataclass(frozen=True, slots=True)
class Observation:
    """An observed value in a rapid report (記録的短時間大雨, 線状降水帯, 短時間大雪)."""

    element: str  # e.g. 前１時間解析雨量, 線状降水帯発生
    description: str  # e.g. 約１００ミリ
    value: float | None
    unit: str
    time: datetime | None
    area: Area | None = None
    station: Area | None = None


@dataclass(frozen=True, slots=True)
class Earthquake:
    origin_time: datetime | None
    arrival_time: datetime | None
    hypocenter: Area | None  # code_type 震央地名
    latitude: float | None
    longitude: float | None
    depth_km: float | None
    coordinate_description: str
    magnitude: float | None  # None when JMA gives NaN (e.g. "Ｍ８を超える巨大地震")
    magnitude_type: str
    magnitude_description: str


@dataclass(frozen=True, slots=True)
class AreaIntensity:
    """Observed seismic intensity at one prefecture, region, city or station (see area.code_type)."""

    area: Area
    intensity: str  # JMA notation: 1 2 3 4 5- 5+ 6- 6+ 7, "" when not yet received
    long_period_class: str = ""  # 長周期地震動階級 where given
    condition: str = ""  # e.g. 震度５弱以上未入電
    revise: str = ""  # 追加 / 上方修正


@dataclass(frozen=True, slots=True)
class ForecastIntensity:
    """Forecast intensity range of an EEW (緊急地震速報) for one region."""

    area: Area
    lowest: str
    highest: str  # "over" means "or more" (JMA writes it so)
    category: str  # 緊急地震速報（警報） / （予報）
    arrival_time: datetime | None
    condition: str


@dataclass(frozen=True, slots=True)
class TsunamiHeight:
    meters: float | None
    description: str  # e.g. １ｍ, 巨大, １０ｍ超
    condition: str  # e.g. 不明, 上昇中


@dataclass(frozen=True, slots=True)
class TsunamiStation:
    station: Area
    high_tide_time: datetime | None
    arrival_time: datetime | None
    condition: str


@dataclass(frozen=True, slots=True)
class TsunamiForecast:
    area: Area  # code_type 津波予報区
    category: KindRef  # e.g. 津波注意報 (62)
    last_category: KindRef | None
    arrival_time: datetime | None
    arrival_condition: str  # e.g. 第１波の到達を確認, ただちに津波来襲と予測
    max_height: TsunamiHeight | None
    stations: tuple[TsunamiStation, ...] = ()


@dataclass(frozen=True, slots=True)
class TsunamiObservation:
    area: Area
    station: Area  # code_type 潮位観測点
    sensor: str
    arrival_time: datetime | None
    initial: str  # 押し / 引き
    arrival_condition: str
    max_height: TsunamiHeight | None
    max_height_time: datetime | None
    max_height_condition: str


@dataclass(frozen=True, slots=True)
class VolcanoItem:
    info_type: str  # VolcanoInfo/@type, e.g. 噴火警報・予報（対象火山）
    kind: HeadlineKind  # level: 噴火警戒レベル from the kind name
    last_kind: KindRef | None
    areas: tuple[Area, ...]
    event_time: datetime | None


@dataclass(frozen=True, slots=True)
class Telegram:
    source: str  # "jma" for every telegram of this parser
    message_type: MessageType
    city_relevant_kind: bool  # False: only Control and Head were read (forecasts, charts, observations …)
    title: str  # Control/Title
    head_title: str  # Head/Title
    status: str  # 通常 / 訓練 / 試験
    info_type: str  # 発表 / 訂正 / 取消 / 遅延
    editorial_office: str
    publishing_office: str
    control_datetime: datetime  # Control/DateTime (UTC), when the telegram was sent
    report_datetime: datetime
    target_datetime: datetime | None
    target_duration: str
    valid_datetime: datetime | None
    event_id: str
    serial: str
    info_kind: str
    info_kind_version: str
    headline_text: str
    headline_items: tuple[HeadlineItem, ...]
    body_text: str = ""  # Body/Text, e.g. the reason of a 取消
    comments: tuple[str, ...] = ()
    warnings: tuple[WarningItem, ...] = ()
    observations: tuple[Observation, ...] = ()
    earthquake: Earthquake | None = None
    max_intensity: str = ""
    intensities: tuple[AreaIntensity, ...] = ()
    forecast_intensities: tuple[ForecastIntensity, ...] = ()
    tsunami_forecasts: tuple[TsunamiForecast, ...] = ()
    tsunami_observations: tuple[TsunamiObservation, ...] = ()
    volcano_headline: str = ""
    volcano_items: tuple[VolcanoItem, ...] = ()

    @property
    def identity(self) -> tuple[str, str, str, str, str]:
        """What identifies this version of a telegram (reference §6.2)."""
        return (self.title, self.editorial_office, self.event_id, self.serial, self.report_datetime.isoformat())

    def all_areas(self) -> Iterator[Area]:
        """Every area, station and place the telegram names, from head and body."""
        for item in self.headline_items:
            yield from item.areas
        for warning in self.warnings:
            yield from warning.areas
            yield from warning.stations
        for observation in self.observations:
            if observation.area is not None:
                yield observation.area
        for intensity in self.intensities:
            yield intensity.area
        for forecast_intensity in self.forecast_intensities:
            yield forecast_intensity.area
        for forecast in self.tsunami_forecasts:
            yield forecast.area
            yield from (station.station for station in forecast.stations)
        for tsunami_observation in self.tsunami_observations:
            yield tsunami_observation.area
            yield tsunami_observation.station
        for volcano_item in self.volcano_items:
            yield from volcano_item.areas

    def warnings_for(self, code: str) -> tuple[WarningItem, ...]:
        """The warning items of one area code (e.g. "1522400" for 佐渡市)."""
        return tuple(item for item in self.warnings if any(area.code == code for area in item.areas))

    def volcano_levels(self) -> dict[str, int]:
        """噴火警戒レベル per volcano code, from the "（対象火山）" items that carry one."""
        return {
            area.code: item.kind.level
            for item in self.volcano_items
            if item.kind.level is not None
            for area in item.areas
        }

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict: datetimes as ISO 8601 strings, tuples as lists."""
        return _jsonable(self)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_jsonable(item) for item in value]
    if is_dataclass(value):
        return {field.name: _jsonable(getattr(value, field.name)) for field in fields(value)}
    return value
