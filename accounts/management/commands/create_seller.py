from django.core.management.base import BaseCommand, CommandError

from accounts.services import EmailAlreadyRegistered, seller_create


class Command(BaseCommand):
    help = "Create a seller account and its owner user (login name = email)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--company", required=True)

    def handle(self, *args, email, password, company, **options):
        try:
            account = seller_create(email=email, password=password, company=company)
        except EmailAlreadyRegistered as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Created seller account {account.company!r} (id {account.pk}); log in as {email}.")
