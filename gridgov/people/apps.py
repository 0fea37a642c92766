from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "gridgov.people"
    verbose_name = "人口"
