from django.apps import AppConfig


class AmazonConfig(AppConfig):
    name = "channels.amazon"
    label = "amazon"
    verbose_name = "Amazon"
