"""Load, wipe and describe the demo: what `gridgov demo` does."""

from django.core.management import call_command
from django.db import transaction

from gridgov.accounts.models import User
from gridgov.cases.models import DepartmentMember
from gridgov.demo.departments import catalogue_sync, department_login_rows, department_staff_create
from gridgov.demo.staff import DEMO_PASSWORD, LOGINS, staff_create
from gridgov.demo.street import street_create
from gridgov.territory.models import Area


def demo_is_empty() -> bool:
    return not Area.objects.exists()


HISTORY_COUNT = 3000
HISTORY_SEED = 7


@transaction.atomic
def demo_load() -> None:
    """The demo street, its people and its staff, the case categories and the departments' staff,
    in one transaction. Case history and the triage model are further steps (`gridgov demo` runs them)."""
    street_create()
    staff_create()
    catalogue_sync()
    department_staff_create()


def demo_case_history(*, count: int = HISTORY_COUNT, seed: int = HISTORY_SEED) -> int:
    """A year of case history on the loaded street (every case screen and measure has data)."""
    from gridgov.cases.demo import create_case_history

    return create_case_history(seed=seed, count=count)


def demo_triage_train(path=None):
    """Train the triage model into VAR_DIR (closed cases and corrections included), so intake suggests by it."""
    from gridgov.cases.training import triage_training_pairs
    from gridgov.cases.triage.model import model_train

    return model_train(extra=triage_training_pairs(), path=path)


def demo_wipe() -> None:
    """Empty every table (the demo database holds nothing but the demo)."""
    call_command("flush", interactive=False, verbosity=0)


def login_rows() -> list[tuple[str, str, str, str]]:
    """(角色, 用户名, 密码, 区域) for the first demo account of each role, as they are in the database."""
    users = {u.username: u for u in User.objects.filter(username__in=[x.username for x in LOGINS])
             .select_related("area")}
    rows = []
    for login in LOGINS:
        user = users.get(login.username)
        if user is None:
            continue
        place = login.title or (user.area.name if user.area else "—")
        rows.append((user.get_role_display(), user.username, DEMO_PASSWORD, place))
    return rows


def department_rows() -> list[tuple[str, str, str, str]]:
    """(角色, 用户名, 密码, 部门) of the departments' staff accounts."""
    return department_login_rows()


def further_login_count() -> int:
    """Accounts listed neither in the logins table nor as department staff."""
    members = DepartmentMember.objects.values("user_id")
    return User.objects.exclude(username__in=[x.username for x in LOGINS]).exclude(pk__in=members).count()
