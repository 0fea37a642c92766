"""The territory in Django admin. Every write calls the same service as the rest of the code;
what only a service may change (codes, parents, the tree) is read-only once saved. Nothing is
deleted here: areas, buildings and dwellings carry people and cases."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction

from gridgov.core.errors import DomainError
from gridgov.territory import selectors, services
from gridgov.territory.models import Area, Assignment, Building, Dwelling, Estate


class ServiceAdmin(admin.ModelAdmin):
    """An admin whose saves go through services: `create(data)` on add, `update(obj, data)` on change.

    The service runs once the form is otherwise valid, so its DomainError shows on the form; the
    admin's change view wraps the request in a transaction, and the service is its last step.
    """

    always_read_only: tuple = ()
    frozen_on_change: tuple = ()

    def create(self, data: dict):
        raise NotImplementedError

    def update(self, obj, data: dict):
        raise NotImplementedError

    def get_readonly_fields(self, request, obj=None):
        return self.always_read_only + (self.frozen_on_change if obj else ())

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        base, model_admin = super().get_form(request, obj, **kwargs), self

        class ServiceForm(base):
            def full_clean(self):
                super().full_clean()
                if not self.is_bound or self._errors:
                    return
                try:
                    with transaction.atomic():  # several service calls: all or none
                        data = {**self.cleaned_data}
                        # The form has already copied its values onto `obj`: the service gets a fresh copy.
                        current = model_admin.model.objects.get(pk=obj.pk) if obj else None
                        self.saved = model_admin.update(current, data) if obj else model_admin.create(data)
                except DomainError as exc:
                    self.add_error(None, ValidationError(exc.message))

        return ServiceForm

    def save_form(self, request, form, change):
        return form.saved

    def save_model(self, request, obj, form, change):
        """Saved by the service while the form was validated."""

    def save_related(self, request, form, formsets, change):
        """Nothing related is edited here (inlines are read-only)."""


@admin.register(Area)
class AreaAdmin(ServiceAdmin):
    list_display = ["name", "kind", "code", "parent", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    fields = ["kind", "name", "code", "parent", "boundary", "centre_lat", "centre_lng", "team"]
    always_read_only = ("centre_lat", "centre_lng", "team")
    frozen_on_change = ("kind", "code", "parent")

    @admin.display(description="网格力量（在「网格力量」中安排）")
    def team(self, area):
        members = selectors.area_team(area) if area.pk else []
        return "；".join(f"{a.get_duty_display()} {a.user}" for a in members) or "—"

    def create(self, data):
        return services.area_create(kind=data["kind"], name=data["name"], code=data["code"],
                                    parent=data.get("parent"), boundary=data.get("boundary"))

    def update(self, area, data):
        if data["name"] != area.name:
            services.area_rename(area=area, name=data["name"])
        if data.get("boundary") != area.boundary:
            services.area_set_boundary(area=area, boundary=data.get("boundary"))
        return area


@admin.register(Estate)
class EstateAdmin(ServiceAdmin):
    list_display = ["name", "kind", "community", "property_company"]
    list_filter = ["kind"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["community"]
    fields = ["name", "community", "kind", "property_company", "address"]
    frozen_on_change = ("community",)

    def create(self, data):
        return services.estate_create(name=data["name"], community=data["community"], kind=data["kind"],
                                      property_company=data["property_company"], address=data["address"])

    def update(self, estate, data):
        return services.estate_update(estate=estate, name=data["name"], kind=data["kind"],
                                      property_company=data["property_company"], address=data["address"])


@admin.register(Building)
class BuildingAdmin(ServiceAdmin):
    list_display = ["code", "name", "estate", "microgrid", "floors", "entrances"]
    search_fields = ["code", "name", "estate__name"]
    autocomplete_fields = ["estate", "microgrid"]
    fields = ["code", "name", "estate", "microgrid", "lat", "lng", "entrances", "floors", "address", "area_code"]
    always_read_only = ("area_code",)
    frozen_on_change = ("code", "estate", "microgrid")

    def create(self, data):
        return services.building_create(
            code=data["code"], name=data["name"], estate=data["estate"], microgrid=data["microgrid"],
            lat=data["lat"], lng=data["lng"], entrances=data["entrances"], floors=data["floors"],
            address=data["address"],
        )

    def update(self, building, data):
        return services.building_update(
            building=building, name=data["name"], lat=data["lat"], lng=data["lng"],
            entrances=data["entrances"], floors=data["floors"], address=data["address"],
        )


@admin.register(Dwelling)
class DwellingAdmin(ServiceAdmin):
    list_display = ["building", "number", "entrance", "floor"]
    search_fields = ["number", "building__code", "building__name"]
    autocomplete_fields = ["building"]
    fields = ["building", "number", "entrance", "floor"]

    def has_change_permission(self, request, obj=None):
        # No service changes a dwelling: households hang on it. Viewing stays allowed.
        return obj is None and super().has_change_permission(request, obj)

    def create(self, data):
        return services.dwelling_create(building=data["building"], number=data["number"],
                                        entrance=data["entrance"], floor=data["floor"])


@admin.register(Assignment)
class AssignmentAdmin(ServiceAdmin):
    list_display = ["area", "duty", "user", "since", "until"]
    list_filter = ["duty", "area__kind"]
    search_fields = ["area__name", "area__code", "user__username", "user__display_name"]
    autocomplete_fields = ["area", "user"]
    fields = ["area", "user", "duty", "since", "until"]
    frozen_on_change = ("area", "user", "duty", "since")

    def create(self, data):
        assignment = services.assignment_create(area=data["area"], user=data["user"], duty=data["duty"],
                                                since=data["since"])
        if data.get("until"):
            services.assignment_end(assignment=assignment, until=data["until"])
        return assignment

    def update(self, assignment, data):
        if data.get("until") and data["until"] != assignment.until:
            services.assignment_end(assignment=assignment, until=data["until"])
        return assignment
