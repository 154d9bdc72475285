"""Service alerts from Toki's own warnings and evacuation orders (ADR 0007: the `alerts.public_situation_changed`
subscriber calls `refresh_service_alerts`). The rules (SuspensionRule, loaded from JSON) say which warning in
force, or which order of at least a level in which district, suspends which route; the refresh compares what they
give now with the open ServiceAlerts and opens, updates or ends them. Idempotent: a second run changes nothing."""

import json

from django.db import transaction
from django.utils import timezone

from toki.accounts import audit
from toki.alerts.selectors import orders_in_force, public_warnings_in_force
from toki.transport.transit.models import ServiceAlert, SuspensionRule

CAUSES = {"warning": "WEATHER"}
WEATHER_HAZARDS = {"flood", "landslide", "storm_surge", "inland_flood"}
EFFECTS = {"NO_SERVICE", "REDUCED_SERVICE", "SIGNIFICANT_DELAYS", "DETOUR", "MODIFIED_SERVICE"}
EFFECT_RANK = ["MODIFIED_SERVICE", "DETOUR", "SIGNIFICANT_DELAYS", "REDUCED_SERVICE", "NO_SERVICE"]


class RulesInvalid(ValueError):
    pass


def _suspensions(municipality) -> dict[str, dict]:
    """route id → {"cause", "effect", "reasons"} for every rule a warning or order in force matches now."""
    rules = list(SuspensionRule.objects.filter(municipality=municipality).prefetch_related("districts"))
    warnings = public_warnings_in_force(municipality)
    orders = list(orders_in_force(municipality))
    found: dict[str, dict] = {}

    def hit(rule, cause, reason):
        for route in rule.route_gtfs_ids:
            entry = found.setdefault(route, {"cause": cause, "effect": rule.effect, "reasons": []})
            if EFFECT_RANK.index(rule.effect) > EFFECT_RANK.index(entry["effect"]):
                entry["effect"] = rule.effect
            if reason not in entry["reasons"]:
                entry["reasons"].append(reason)

    for rule in rules:
        if rule.trigger == SuspensionRule.Trigger.WARNING:
            for state in warnings:
                if state.kind_code in rule.kind_codes:
                    hit(rule, "WEATHER", {"rule": rule.key, "warning": state.kind_name, "alert_id": state.alert_id})
        else:
            districts = {d.pk for d in rule.districts.all()}
            for order in orders:
                if order.level >= (rule.min_level or 3) and (not districts or order.district_id in districts):
                    cause = "WEATHER" if order.hazard in WEATHER_HAZARDS else "OTHER_CAUSE"
                    hit(rule, cause, {"rule": rule.key, "order_level": order.level, "district": order.district.code,
                                      "alert_id": order.issue_alert_id})
    return found


def refresh_service_alerts(municipality) -> dict[str, int]:
    """Open, update and end the rule-made service alerts of `municipality` to match what is in force now."""
    now = timezone.now()
    counts = {"opened": 0, "updated": 0, "ended": 0}
    with transaction.atomic():
        wanted = _suspensions(municipality)
        current = {a.key: a for a in ServiceAlert.objects.select_for_update().filter(
            municipality=municipality, ended_at=None, key__startswith="suspension:")}
        for route, entry in wanted.items():
            key = f"suspension:{route}"
            alert = current.pop(key, None)
            if alert is None:
                alert = ServiceAlert.objects.create(
                    municipality=municipality, key=key, route_gtfs_id=route, cause=entry["cause"],
                    effect=entry["effect"], reasons=entry["reasons"], started_at=now, updated_at=now)
                counts["opened"] += 1
                audit.record(actor=None, action="transit.service_alert_opened", obj=alert, changes=entry)
            elif (alert.cause, alert.effect, alert.reasons) != (entry["cause"], entry["effect"], entry["reasons"]):
                alert.cause, alert.effect, alert.reasons, alert.updated_at = (
                    entry["cause"], entry["effect"], entry["reasons"], now)
                alert.save(update_fields=["cause", "effect", "reasons", "updated_at"])
                counts["updated"] += 1
                audit.record(actor=None, action="transit.service_alert_updated", obj=alert, changes=entry)
        for alert in current.values():
            alert.ended_at = alert.updated_at = now
            alert.save(update_fields=["ended_at", "updated_at"])
            counts["ended"] += 1
            audit.record(actor=None, action="transit.service_alert_ended", obj=alert, changes={})
    return counts


def _read_rules(text: str, districts: dict) -> list[dict]:
    """The rules of a JSON file, checked; RulesInvalid naming the rule and the field."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise RulesInvalid(f"not JSON: {error}") from None
    rules = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(rules, list):
        raise RulesInvalid('the file needs a list "rules"')
    checked, keys = [], set()
    for number, rule in enumerate(rules, start=1):
        where = f"rule {number}"
        if not isinstance(rule, dict):
            raise RulesInvalid(f"{where}: not an object")
        key = rule.get("key")
        if not isinstance(key, str) or not key or len(key) > 50 or key in keys:
            raise RulesInvalid(f"{where}: key: a unique name of 1–50 characters is needed")
        keys.add(key)
        where = f"rule {number} ({key})"
        trigger = rule.get("trigger")
        if trigger not in SuspensionRule.Trigger.values:
            raise RulesInvalid(f"{where}: trigger: 'warning' or 'order'")
        routes = rule.get("routes")
        if not isinstance(routes, list) or not routes or not all(isinstance(r, str) and r for r in routes):
            raise RulesInvalid(f"{where}: routes: a list of route ids")
        effect = rule.get("effect", "NO_SERVICE")
        if effect not in EFFECTS:
            raise RulesInvalid(f"{where}: effect: one of {', '.join(sorted(EFFECTS))}")
        kind_codes: list[str] = []
        min_level: int | None = None
        codes: list[str] = []
        if trigger == "warning":
            given = rule.get("kind_codes")
            if not isinstance(given, list) or not given or not all(
                    isinstance(c, str) and c.isdigit() and len(c) == 2 for c in given):
                raise RulesInvalid(f"{where}: kind_codes: a list of two-digit JMA warning codes")
            kind_codes = given
        else:
            min_level = rule.get("min_level", 3)
            if min_level not in (3, 4, 5):
                raise RulesInvalid(f"{where}: min_level: 3, 4 or 5")
            codes = rule.get("districts", [])
            unknown = [c for c in codes if c not in districts] if isinstance(codes, list) else [codes]
            if unknown:
                raise RulesInvalid(f"{where}: districts: unknown district code(s) {unknown}")
        checked.append({"key": key, "trigger": trigger, "kind_codes": kind_codes, "min_level": min_level,
                        "districts": [districts[c] for c in codes], "routes": routes, "effect": effect})
    return checked


def load_suspension_rules(*, acting_user, municipality, text: str) -> int:
    """Replace the municipality's rules with those of a JSON file (all or none), then refresh the alerts."""
    districts = {d.code: d for d in municipality.districts.all()}
    rules = _read_rules(text, districts)
    with transaction.atomic():
        SuspensionRule.objects.filter(municipality=municipality).delete()
        for rule in rules:
            made = SuspensionRule.objects.create(
                municipality=municipality, key=rule["key"], trigger=rule["trigger"], kind_codes=rule["kind_codes"],
                min_level=rule["min_level"], route_gtfs_ids=rule["routes"], effect=rule["effect"])
            made.districts.set(rule["districts"])
        audit.record(actor=acting_user, action="transit.load_suspension_rules", obj=municipality,
                     changes={"rules": [r["key"] for r in rules]})
        refresh_service_alerts(municipality)
    return len(rules)
