from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "toki.community"
    label = "community"
    verbose_name = "Community (household tablets)"
