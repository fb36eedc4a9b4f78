from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lumiku.accounts"
    label = "accounts"
    verbose_name = "Accounts"
