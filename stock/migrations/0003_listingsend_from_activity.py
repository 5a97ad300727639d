# ListingSend (the push's trail) moves from the activity app (its table and rows kept, renamed).

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0002_listing_sends_and_purged_orders_move_out"),
        ("channels", "0001_initial"),
        ("stock", "0002_stock_push"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE activity_listingsend RENAME TO stock_listingsend",
                    reverse_sql="ALTER TABLE stock_listingsend RENAME TO activity_listingsend",
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="ListingSend",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("channel_sku", models.CharField(max_length=200, verbose_name="channel SKU")),
                        (
                            "lane",
                            models.CharField(
                                choices=[("", "—"), ("bulk", "Feed (bulk)"), ("fast", "Fast lane (single listing update)")],
                                max_length=10,
                            ),
                        ),
                        ("version", models.BigIntegerField()),
                        ("quantity", models.IntegerField(blank=True, null=True)),
                        ("price", models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("answered_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "outcome",
                            models.CharField(
                                choices=[
                                    ("accepted", "Accepted by Amazon"),
                                    ("rejected", "Rejected by Amazon"),
                                    ("not_processed", "Not processed (sent again)"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("error_code", models.CharField(blank=True, max_length=40)),
                        ("error", models.TextField(blank=True)),
                        ("amazon_feed_id", models.CharField(blank=True, max_length=100)),
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
                        "ordering": ["-answered_at", "-pk"],
                        "indexes": [
                            models.Index(fields=["integration", "channel_sku", "-answered_at"], name="listingsend_listing"),
                            models.Index(fields=["answered_at"], name="listingsend_answered"),
                        ],
                    },
                ),
            ],
        ),
    ]
