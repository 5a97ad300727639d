from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "fulfilment"

    def ready(self) -> None:
        from fulfilment import receivers  # noqa: F401  (connects the signal receivers)
