from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "toki.accounts"
    verbose_name = "Accounts"
