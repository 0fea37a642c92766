"""`gridgov doctor`: one look at the deployment's health. Each app adds its own section here."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count
from django.utils import timezone

from gridgov.core.models import Heartbeat


def database_section() -> dict:
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        return {"engine": connection.vendor, "reachable": True, "pending_migrations": len(pending)}
    except Exception as exc:  # doctor reports any failure instead of crashing
        return {"engine": connection.vendor, "reachable": False, "error": str(exc), "pending_migrations": None}


def worker_section() -> dict:
    beat = Heartbeat.objects.filter(name="worker").first()
    age = None if beat is None else round((timezone.now() - beat.beat_at).total_seconds(), 1)
    return {"worker_heartbeat_age_s": age}


def counts_section() -> dict:
    from gridgov.people.models import Household, Resident
    from gridgov.territory.enums import AreaKind
    from gridgov.territory.models import Area, Building, Dwelling

    per_kind = dict(Area.objects.values_list("kind").annotate(n=Count("id")))
    return {
        "streets": per_kind.get(AreaKind.STREET, 0),
        "communities": per_kind.get(AreaKind.COMMUNITY, 0),
        "grids": per_kind.get(AreaKind.GRID, 0),
        "microgrids": per_kind.get(AreaKind.MICROGRID, 0),
        "buildings": Building.objects.count(),
        "dwellings": Dwelling.objects.count(),
        "households": Household.objects.filter(is_active=True).count(),
        "residents": Resident.objects.filter(is_active=True).count(),
    }


def report() -> dict:
    db = database_section()
    result = {"database": db, **worker_section()}
    if db["reachable"] and db["pending_migrations"] == 0:
        from gridgov.cases.doctor import section as cases
        from gridgov.hotline.doctor import section as hotline
        from gridgov.notify.doctor import section as notify
        from gridgov.open311.doctor import section as open311
        from gridgov.sensors.doctor import section as sensors

        result["counts"] = counts_section()
        for section in (cases, sensors, notify, open311, hotline):
            result.update(section())
    return result
