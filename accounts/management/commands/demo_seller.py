from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts.services import seller_create

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password-1"


class Command(BaseCommand):
    help = "Create the demo seller if it is missing, and print its login."

    def handle(self, *args, **options):
        if not get_user_model().objects.filter(username=DEMO_EMAIL).exists():
            seller_create(email=DEMO_EMAIL, password=DEMO_PASSWORD, company="Demo Trading Ltd")
        self.stdout.write(f"Demo seller login: {DEMO_EMAIL} / {DEMO_PASSWORD}")
