"""達成率, interim targets, status bands and staleness: pure functions over numbers and dates (docs/kpi.md).

- 達成率 by direction: higher is better → result ÷ target; lower is better → target ÷ result; stage → the stage
  reached ÷ the stage targeted (positions counted from 1).
- Inside the current fiscal year an accumulating KPI (visits, 周知回数) is compared with the pro-rata share of its
  target for the days gone (多摩市's practice); a level KPI with the whole target.
- The status band comes from a rule of thresholds on the rate (`TOKI_KPI_BANDS`, default S ≥ 100 %, A ≥ 80 %,
  B ≥ 60 %, else C; − when there is no result or no target), after the 総合戦略 reviews' S/A/B/C/−.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

HUNDRED = Decimal(100)
NO_STATUS = "−"
DEFAULT_BANDS = (("S", Decimal(100)), ("A", Decimal(80)), ("B", Decimal(60)), ("C", Decimal(0)))
CADENCE_DAYS = {"monthly": 31 + 7, "quarterly": 92 + 14, "yearly": 366 + 30}  # period plus a grace


def fiscal_year_of(day: date, start_month: int = 4) -> int:
    return day.year if day.month >= start_month else day.year - 1


def fiscal_year_bounds(year: int, start_month: int = 4) -> tuple[date, date]:
    first = date(year, start_month, 1)
    last = date(year + 1, start_month, 1) - timedelta(days=1) if start_month > 1 else date(year, 12, 31)
    return first, last


def wareki_year(year: int) -> str:
    """The fiscal year's 和暦 label: 2024 → 令和6年度 (2019 → 令和元年度)."""
    reiwa = year - 2018
    if reiwa < 1:
        return f"平成{year - 1988}年度"
    return "令和元年度" if reiwa == 1 else f"令和{reiwa}年度"


def achievement_rate(direction: str, result: Decimal | None, target: Decimal | None) -> Decimal | None:
    """The 達成率 in percent (one decimal), or None when it cannot be computed."""
    if result is None or target is None:
        return None
    if direction == "lower":
        if result <= 0:
            return None
        rate = target * HUNDRED / result
    else:  # higher, and stage (positions from 1)
        if target <= 0:
            return None
        rate = result * HUNDRED / target
    return rate.quantize(Decimal("0.1"))


def interim_target(target: Decimal | None, *, accumulates: bool, year: int, today: date,
                   start_month: int = 4) -> Decimal | None:
    """The share of `target` due by `today` inside fiscal `year`: all of it for a level KPI or a year that has
    ended; for an accumulating one, the days gone ÷ the days of the year."""
    if target is None or not accumulates:
        return target
    first, last = fiscal_year_bounds(year, start_month)
    if today >= last:
        return target
    if today < first:
        return Decimal(0)
    gone = (today - first).days + 1
    return (target * gone / ((last - first).days + 1)).quantize(Decimal("0.01"))


def parse_bands(text: str) -> tuple[tuple[str, Decimal], ...]:
    """"S:100,A:80,B:60,C:0" → the bands, highest threshold first. Raises ValueError saying what is wrong."""
    bands = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, sep, threshold = part.partition(":")
        if not sep or not name.strip():
            raise ValueError(f"band {part!r}: write NAME:PERCENT, e.g. S:100")
        try:
            bands.append((name.strip(), Decimal(threshold.strip())))
        except ArithmeticError:
            raise ValueError(f"band {part!r}: {threshold.strip()!r} is not a number") from None
    if not bands:
        raise ValueError("give at least one band, e.g. S:100,A:80,B:60,C:0")
    return tuple(sorted(bands, key=lambda band: band[1], reverse=True))


def status_band(rate: Decimal | None, bands=DEFAULT_BANDS) -> str:
    if rate is None:
        return NO_STATUS
    for name, threshold in bands:
        if rate >= threshold:
            return name
    return bands[-1][0]


def is_stale(last_recorded: date | None, cadence: str, today: date) -> bool:
    """Has the owner missed an update? No result at all counts as stale once the plan has started."""
    if last_recorded is None:
        return True
    return (today - last_recorded).days > CADENCE_DAYS[cadence]


@dataclass(frozen=True)
class YearFigure:
    """One cell group of the plan's table: 目標 / 結果 / 達成率 for a KPI and a fiscal year."""

    year: int
    target: Decimal | None
    target_label: str
    result: Decimal | None
    result_label: str
    rate: Decimal | None
    status: str
    interim: bool  # the rate is against the pro-rata target of a year still running
