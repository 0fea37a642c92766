from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gridgov.core"
    verbose_name = "平台"

    def ready(self):
        from gridgov.lib import tree  # noqa: F401 — registers the `subtree` lookup
