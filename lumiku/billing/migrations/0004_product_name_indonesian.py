from django.db import migrations, models

# The Indonesian names of the products 0002 seeded; a product an operator renamed keeps its own name
# (matched by the seeded English name) and gets its Indonesian name in admin.
SEEDED_NAMES_ID = {
    "Starter 500": "Pemula 500",
    "Seller 1.500": "Penjual 1.500",
    "Studio 5.000": "Studio 5.000",
    "Unlimited 30": "Tanpa Batas 30",
}


def name_seeded_products(apps, schema_editor):
    product = apps.get_model("billing", "Product")
    order = apps.get_model("billing", "Order")
    for name, name_id in SEEDED_NAMES_ID.items():
        product.objects.filter(name=name, name_id="").update(name_id=name_id)
    # Orders of those products, bought under the same name, read in Indonesian too (receipts, account page).
    for row in product.objects.exclude(name_id="").values("pk", "name", "name_id"):
        order.objects.filter(product_id=row["pk"], product_name=row["name"], product_name_id="").update(
            product_name_id=row["name_id"])


class Migration(migrations.Migration):
    dependencies = [("billing", "0003_order_reversal_adds_up")]

    operations = [
        migrations.AddField(
            model_name="order",
            name="product_name_id",
            field=models.CharField(blank=True, max_length=80),
        ),
        migrations.AddField(
            model_name="product",
            name="name_id",
            field=models.CharField(
                blank=True, max_length=80, verbose_name="name (Bahasa Indonesia)",
                help_text="What readers of Bahasa Indonesia see (pricing page, receipts, API); empty: the name above."),
        ),
        migrations.RunPython(name_seeded_products, migrations.RunPython.noop),
    ]
