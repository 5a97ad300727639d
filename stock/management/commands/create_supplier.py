from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from stock.services import supplier_create, supplier_token_issue


class Command(BaseCommand):
    help = "Creates a supplier and prints its new API token alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="the supplier's name")

    def handle(self, *args, name: str, **options):
        if not name.strip():
            raise CommandError("--name must not be empty.")
        with transaction.atomic():
            supplier = supplier_create(name=name.strip())
            token = supplier_token_issue(supplier=supplier)
        self.stdout.write(f"Created supplier {supplier.name} (id {supplier.pk}). Its API token, shown only now:")
        self.stdout.write(token)
