# PurgedOrdersDay moves from the activity app (its table and rows kept, renamed).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0002_listing_sends_and_purged_orders_move_out"),
        ("channels", "0001_initial"),
        ("orders", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE activity_purgedordersday RENAME TO orders_purgedordersday",
                    reverse_sql="ALTER TABLE orders_purgedordersday RENAME TO activity_purgedordersday",
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="PurgedOrdersDay",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("day", models.DateField()),
                        ("currency", models.CharField(blank=True, max_length=3)),
                        ("orders", models.PositiveIntegerField()),
                        ("revenue", models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                        (
                            "integration",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="channels.integration",
                            ),
                        ),
                    ],
                    options={
                        "indexes": [models.Index(fields=["integration", "day"], name="purgedordersday_day")],
                    },
                ),
            ],
        ),
    ]
