import uuid

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lumiku.credits.selectors import credits_balance
from lumiku.credits.services import credits_grant


class Command(BaseCommand):
    help = "Grant credits to a user: grant_credits EMAIL AMOUNT [--key KEY] [--reason TEXT]"

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("amount", type=int)
        parser.add_argument("--key", help="idempotency key; re-running with the same key grants nothing more")
        parser.add_argument("--reason", default="Operator grant")

    def handle(self, *args, email, amount, key, reason, **options):
        if amount <= 0:
            raise CommandError("AMOUNT must be a positive whole number")
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"no user with email {email}")
        entry = credits_grant(
            user_id=user.pk,
            amount=amount,
            idempotency_key=f"grant:operator:{key or uuid.uuid4().hex}",
            reference_type="operator",
            description=reason,
        )
        self.stdout.write(
            f"Granted {entry.amount} credits to {user.email} (entry {entry.pk}); "
            f"balance {credits_balance(user_id=user.pk)}"
        )
