from django.apps import AppConfig

from channels import listings


class StockConfig(AppConfig):
    name = "stock"

    def ready(self) -> None:
        from stock.push import receivers  # noqa: F401  (connects the signal receivers)
        from stock.selectors import mapped_products

        listings.register(mapped_products=mapped_products)
