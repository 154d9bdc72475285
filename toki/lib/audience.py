"""Who would receive an announcement, asked before it is made: the review step of an evacuation order shows HQ
how many recipients each channel would reach. The delivery app (notify) registers its estimator at start-up; the
producer (alerts) asks here without importing it (alerts must not import notify: notify already plans alerts).

    register("notify", estimator)     # in an AppConfig.ready()
    estimate(municipality_id=…, district_codes=[…], category="evacuation_orders", test_audience_only=False)
        -> {"line": {"ja": 120, "en": 4}, …}   # channel → language → recipients; {} when nothing is registered
"""

from collections.abc import Callable

Estimator = Callable[..., dict[str, dict[str, int]]]
_ESTIMATORS: dict[str, Estimator] = {}


def register(name: str, estimator: Estimator) -> None:
    """Add (or replace) the estimator of one delivery app."""
    _ESTIMATORS[name] = estimator


def estimate(*, municipality_id: int, district_codes: list[str], category: str,
             test_audience_only: bool) -> dict[str, dict[str, int]]:
    """Recipients by channel and language of an announcement of `category` (a delivery category, e.g.
    "evacuation_orders") for `district_codes` ([] = the whole municipality); drills go to the test audience only."""
    totals: dict[str, dict[str, int]] = {}
    for estimator in _ESTIMATORS.values():
        found = estimator(municipality_id=municipality_id, district_codes=district_codes, category=category,
                          test_audience_only=test_audience_only)
        for channel, by_language in found.items():
            into = totals.setdefault(channel, {})
            for language, count in by_language.items():
                into[language] = into.get(language, 0) + count
    return totals
