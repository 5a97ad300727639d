from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "fulfilment"

    def ready(self) -> None:
        from fulfilment import receivers  # noqa: F401  (connects the signal receivers)
        from fulfilment.seller import EXTENSION
        from orders import extensions

        extensions.register(EXTENSION)
