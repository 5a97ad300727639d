"""`python manage.py amazon_simulator --port 8100 [--speedup N] [--demo]`: the built-in Amazon simulator."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from channels.amazon.simulator import AmazonSimulator


class Command(BaseCommand):
    help = "Runs the built-in Amazon simulator (consent page, Login with Amazon, SP-API) until interrupted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8100)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--speedup", type=float, default=1.0, help="rate limits and feeds run N times faster")
        parser.add_argument(
            "--demo", action="store_true", help="seed demo listings and orders; add an order every ~20s"
        )

    def handle(self, *args, port: int, host: str, speedup: float, demo: bool, **options) -> None:
        simulator = AmazonSimulator(speedup=speedup, demo=demo)
        self.stdout.write(f"Amazon simulator on http://{host}:{port}/ (state: /_sim/state). Ctrl-C stops it.")
        try:
            simulator.serve_forever(port=port, host=host)
        except KeyboardInterrupt:
            self.stdout.write("Amazon simulator stopped.")
