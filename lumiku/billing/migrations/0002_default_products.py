from django.db import migrations

# Starting prices an operator edits in admin (Billing > Products). Credits buy generated poses at the
# app's per-pose price; the tier is the existing 100-poses-a-day quota.
DEFAULTS = [
    ("Starter 500", 500, 0, 49_000, 10),
    ("Seller 1.500", 1500, 0, 129_000, 20),
    ("Studio 5.000", 5000, 0, 399_000, 30),
    ("Unlimited 30", 0, 30, 299_000, 40),
]


def seed(apps, schema_editor):
    product = apps.get_model("billing", "Product")
    if product.objects.exists():
        return
    for name, credits, days, price, order in DEFAULTS:
        product.objects.create(name=name, credits=credits, tier_days=days, price_idr=price, sort_order=order)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_products_and_orders")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
