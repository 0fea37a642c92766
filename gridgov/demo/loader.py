"""Load, wipe and describe the demo: what `gridgov demo` does."""

from django.core.management import call_command
from django.db import transaction

from gridgov.accounts.models import User
from gridgov.demo.staff import DEMO_PASSWORD, LOGINS, staff_create
from gridgov.demo.street import street_create
from gridgov.territory.models import Area


def demo_is_empty() -> bool:
    return not Area.objects.exists()


@transaction.atomic
def demo_load() -> None:
    """The demo street, its people and its staff, in one transaction."""
    street_create()
    staff_create()


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


def further_login_count() -> int:
    return User.objects.exclude(username__in=[x.username for x in LOGINS]).count()
