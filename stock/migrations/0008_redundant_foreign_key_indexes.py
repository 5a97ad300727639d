"""Two foreign keys whose own index repeats the first column of a wider one: every write paid for both.

Django's own way of removing them drops and re-adds the foreign key, which checks every row of the table under a
lock; dropping the index alone changes nothing else.
"""

import django.db.models.deletion
from django.db import migrations, models

REDUNDANT = {
    # index: (table, column), as Django named them
    "stock_listingpush_integration_id_d83427db": ("stock_listingpush", "integration_id"),
    "stock_stockchange_product_id_5ad4a7b4": ("stock_stockchange", "product_id"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0002_integration_hold"),
        ("stock", "0007_push_lanes_held_while_alive"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="listingpush",
                    name="integration",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="listing_pushes",
                        to="channels.integration",
                    ),
                ),
                migrations.AlterField(
                    model_name="stockchange",
                    name="product",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="stock_changes",
                        to="stock.product",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{index}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" ("{column}")',
                )
                for index, (table, column) in REDUNDANT.items()
            ],
        ),
    ]
