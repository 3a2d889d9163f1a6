from django.apps import AppConfig


class SignallingConfig(AppConfig):
    name = "tests.signalling"
    label = "signalling"

    def ready(self):
        from . import receivers  # noqa: F401
