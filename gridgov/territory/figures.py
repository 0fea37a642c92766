"""An area's figures: households, residents, buildings and care groups in its subtree.

Territory must not import people (imports run lib ← territory ← people), so the people
models are looked up through the app registry and counted with plain aggregates.
"""

from django.apps import apps
from django.db.models import Count, Q
from django.utils import timezone

from gridgov.territory.models import Area, Building


def _care_groups(code: str) -> list[dict]:
    membership = apps.get_model("people", "CareMembership")
    today = timezone.localdate()
    rows = (membership.objects
            .filter(resident__area_code__subtree=code, resident__is_active=True, valid_from__lte=today)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
            .values("group").annotate(count=Count("resident_id", distinct=True)))
    counts = {row["group"]: row["count"] for row in rows}
    choices = membership._meta.get_field("group").choices
    return [{"group": value, "label": label, "count": counts[value]} for value, label in choices if value in counts]


def area_figures(area: Area) -> dict:
    """Counts over the area's subtree. Callers pass an area the user may see."""
    household = apps.get_model("people", "Household")
    resident = apps.get_model("people", "Resident")
    return {
        "households": household.objects.filter(area_code__subtree=area.code, is_active=True).count(),
        "residents": resident.objects.filter(area_code__subtree=area.code, is_active=True).count(),
        "buildings": Building.objects.filter(area_code__subtree=area.code).count(),
        "care_groups": _care_groups(area.code),
    }
