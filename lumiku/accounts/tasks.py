"""Account housekeeping run by beat."""

from celery import shared_task

from lumiku.accounts.tokens import refresh_families_purge


@shared_task(name="lumiku.accounts.tasks.refresh_families_purge", ignore_result=True)
def refresh_families_purge_task() -> int:
    """Refresh-token families whose last token expired more than a day ago (one row per sign-in)."""
    return refresh_families_purge()
