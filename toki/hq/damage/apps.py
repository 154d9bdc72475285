from django.apps import AppConfig


class DamageConfig(AppConfig):
    name = "toki.hq.damage"
    label = "damage"
    verbose_name = "Damage reports (第4号様式)"

    def ready(self):
        # HQ's board and KPIs read damage through what this app supplies, never by importing it (no cycle).
        from toki.hq import damage_source
        from toki.hq.damage import selectors

        damage_source.supply(damage_source.DamageReads(
            live_aggregate=selectors.live_aggregate, located_reports=selectors.located_reports,
            issued_reports=selectors.issue_times))
