# The activity app keeps only the run log: ListingSend moved to stock (the push's trail) and PurgedOrdersDay to
# orders (analytics). Their tables are renamed by the receiving apps' migrations; nothing is deleted.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="purgedordersday", name="integration"),
                migrations.DeleteModel(name="ListingSend"),
                migrations.DeleteModel(name="PurgedOrdersDay"),
            ],
        ),
    ]
