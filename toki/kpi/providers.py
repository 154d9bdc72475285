"""The metric providers the installed apps declare in `<app>/metrics.py` (toki.lib.metrics), keyed by
`Metric.key`. Found through Django's app registry, so the KPI module imports no domain app and none imports it."""

from functools import cache
from importlib import import_module

from django.apps import apps

from toki.lib.metrics import Measurement, Metric, Period, Unavailable


@cache
def all_metrics() -> dict[str, Metric]:
    found: dict[str, Metric] = {}
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.metrics")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.metrics":
                raise
            continue
        for metric in getattr(module, "METRICS", ()):
            if metric.key in found:
                raise RuntimeError(f"metric {metric.key!r} is declared twice ({config.name})")
            found[metric.key] = metric
    return found


def metric(key: str) -> Metric | None:
    return all_metrics().get(key)


def measure(key: str, municipality, period: Period) -> Measurement | Unavailable:
    """Ask the provider; a key no installed app provides is answered as unavailable, in words."""
    found = metric(key)
    if found is None:
        return Unavailable(f"no installed part of Toki measures {key!r} yet")
    if found.since is not None:
        since = found.since(municipality)
        if since is None:
            return Unavailable("Toki holds no data for this yet")
        if since > period.end:
            return Unavailable(f"Toki began counting on {since}")
        if since > period.start:
            answer = found.measure(municipality, Period(since, period.end))
            if isinstance(answer, Measurement):
                note = f"counted from {since}" + (f"; {answer.note}" if answer.note else "")
                return Measurement(answer.value, answer.numerator, answer.denominator, note)
            return answer
    return found.measure(municipality, period)
