from django.apps import AppConfig

from channels import listings


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self) -> None:
        from orders import receivers  # noqa: F401  (connects the signal receivers)
        from orders.selectors import channel_skus_seen

        listings.register(channel_skus_seen=channel_skus_seen)
