from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lumiku.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from lumiku.accounts import schema  # noqa: F401 - registers the OpenAPI scheme of our JWT class
        from lumiku.accounts.models import User

        # A signal because accounts are deleted by the admin and by cascades, not only through a service:
        # whichever way, the user's files (all under users/<id>/) go after the delete commits.
        post_delete.connect(_user_files_delete, sender=User, dispatch_uid="accounts.user_files_delete")


def _user_files_delete(sender, instance, **kwargs) -> None:
    from lumiku.core.storage import storage_delete_on_commit

    storage_delete_on_commit(prefixes=[f"users/{instance.pk}/"])
