import logging
import time

import httpx
from django.core.management.base import BaseCommand

from stock.demo import DemoShipper, demo_supplier_token

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "As the demo supplier, list its open dispatches through the supplier API and ship each one "
        "--delay seconds after it first shows up (the `supplier:` line of make run's Procfile)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--api-url", default="http://127.0.0.1:8000", help="where the web server answers")
        parser.add_argument("--delay", type=float, default=60.0, help="seconds between a dispatch and its parcel")
        parser.add_argument("--interval", type=float, default=10.0, help="seconds between two looks")
        parser.add_argument("--once", action="store_true", help="one look, then exit")

    def handle(self, *args, api_url: str, delay: float, interval: float, once: bool, **options):
        headers = {"Authorization": f"Bearer {demo_supplier_token()}"}
        with httpx.Client(base_url=api_url, headers=headers, timeout=30.0) as api:
            shipper = DemoShipper(api, delay=delay)
            while True:
                self._look(shipper)
                if once:
                    return
                time.sleep(interval)

    def _look(self, shipper: DemoShipper) -> None:
        try:
            parcels = shipper.ship_due(now=time.monotonic())
        except httpx.HTTPError as error:  # the web server starting or restarting, a 429: the next look retries
            logger.warning("The demo supplier could not reach the supplier API: %s", error)
            return
        for parcel in parcels:
            self.stdout.write(
                f"Demo supplier shipped dispatch {parcel['dispatch_id']} by {parcel['carrier']}, "
                f"tracking {parcel['tracking_number']}."
            )
