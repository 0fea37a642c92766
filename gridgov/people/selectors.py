"""Scoped reads of the population base. Nothing else queries residents or households for a user."""

import datetime as dt

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gridgov.accounts.enums import PEOPLE_READERS
from gridgov.lib import idcard
from gridgov.lib.pii import blind_index
from gridgov.people.models import CareMembership, Household, Move, PartyMember, Resident


def _scope(user) -> str | None:
    if not getattr(user, "is_authenticated", False) or user.role not in PEOPLE_READERS:
        return None
    return user.scope_code


def residents_visible_to(user, *, include_moved_out: bool = False):
    code = _scope(user)
    if code is None:
        return Resident.objects.none()
    residents = Resident.objects.filter(area_code__startswith=code)
    return residents if include_moved_out else residents.filter(is_active=True)


def resident_get_for(user, resident_id: int) -> Resident:
    return get_object_or_404(residents_visible_to(user, include_moved_out=True), pk=resident_id)


def residents_search(user, *, query: str = "", care_group: str = "", area_code: str = ""):
    """Search by name (prefix), full ID number or full phone (exact, through the blind index)."""
    residents = residents_visible_to(user).select_related("household__dwelling__building")
    query = query.strip()
    if query:
        exact = blind_index(idcard.normalise(query))
        residents = residents.filter(Q(name__startswith=query) | Q(id_number_index=exact) | Q(phone_index=exact))
    if care_group:
        residents = residents.filter(pk__in=care_members(group=care_group).values("resident_id"))
    if area_code:
        residents = residents.filter(area_code__startswith=area_code)
    return residents.order_by("area_code", "name", "id")


def care_members(*, group: str, on: dt.date | None = None):
    on = on or timezone.localdate()
    return CareMembership.objects.filter(group=group, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )


def resident_care_groups(resident: Resident, *, on: dt.date | None = None) -> list[CareMembership]:
    on = on or timezone.localdate()
    return [m for m in resident.care.all() if m.valid_from <= on and (m.valid_to is None or m.valid_to >= on)]


def households_visible_to(user, *, include_moved_out: bool = False):
    code = _scope(user)
    if code is None:
        return Household.objects.none()
    households = Household.objects.filter(area_code__startswith=code)
    return households if include_moved_out else households.filter(is_active=True)


def household_get_for(user, household_id: int) -> Household:
    return get_object_or_404(households_visible_to(user, include_moved_out=True), pk=household_id)


def households_unverified(user, *, days: int, today: dt.date | None = None):
    """Households not verified in person (错时入户排查) for `days` days or never."""
    cutoff = (today or timezone.localdate()) - dt.timedelta(days=days)
    return (households_visible_to(user)
            .filter(Q(last_verified_on__isnull=True) | Q(last_verified_on__lt=cutoff))
            .select_related("dwelling__building")
            .order_by("last_verified_on", "number"))


def resident_history(resident: Resident):
    return Move.objects.filter(resident=resident).select_related(
        "from_dwelling__building", "to_dwelling__building", "recorded_by",
    )


def dwelling_history(dwelling):
    return Move.objects.filter(Q(from_dwelling=dwelling) | Q(to_dwelling=dwelling)).select_related(
        "resident", "recorded_by",
    ).order_by("moved_on", "id")


def party_members_visible_to(user):
    code = _scope(user)
    if code is None:
        return PartyMember.objects.none()
    return PartyMember.objects.filter(
        Q(organisation__area__code__startswith=code) | Q(enlisted_community__code__startswith=code)
    ).distinct()
