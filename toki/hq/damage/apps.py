from django.apps import AppConfig


class DamageConfig(AppConfig):
    name = "toki.hq.damage"
    label = "damage"
    verbose_name = "Damage reports (第4号様式)"
