from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from lumiku.accounts.services import user_create
from lumiku.credits.selectors import credits_balance
from lumiku.credits.services import credits_grant


class Command(BaseCommand):
    help = "Create (or refresh) the local demo user and print how to log in."

    def handle(self, *args, **options):
        email, password = settings.DEMO_USER_EMAIL, settings.DEMO_USER_PASSWORD
        with transaction.atomic():
            user = get_user_model().objects.filter(email__iexact=email).first()
            if user is None:
                user = user_create(email=email, password=password, name="Demo Shop")
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
            if settings.DEMO_USER_CREDITS > 0:
                credits_grant(user_id=user.pk, amount=settings.DEMO_USER_CREDITS,
                              idempotency_key=f"grant:demo:{user.pk}", reference_type="demo",
                              description="Demo credits")
        self.stdout.write(self.style.SUCCESS("Demo user ready"))
        self.stdout.write(f"  email:    {email}")
        self.stdout.write(f"  password: {password}")
        self.stdout.write(f"  credits:  {credits_balance(user_id=user.pk)}")
