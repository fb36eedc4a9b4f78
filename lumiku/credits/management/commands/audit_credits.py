from django.core.management.base import BaseCommand, CommandError

from lumiku.credits.audit import audit_all


class Command(BaseCommand):
    help = ("Check every money and counter invariant: wallet = ledger sum; each generation's charge - refunds = "
            "its delivered images' cost; votesCount = vote rows; category poseCount = poses; each paid order's "
            "credits = its ledger entries. Exits non-zero with the offending rows.")

    def handle(self, *args, **options):
        report = audit_all()
        for name, problems in report.problems.items():
            status = "ok" if not problems else f"{len(problems)} problem(s)"
            self.stdout.write(f"{name}: {status}")
            for line in problems[:200]:
                self.stdout.write(f"  - {line}")
        if not report.ok:
            raise CommandError("audit failed")
        self.stdout.write(self.style.SUCCESS("all invariants hold"))
