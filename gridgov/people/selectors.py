"""Scoped reads of the population base. Nothing else queries residents or households for a user."""

import datetime as dt

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gridgov.accounts.enums import PEOPLE_READERS
from gridgov.lib import idcard
from gridgov.lib.pii import blind_index
from gridgov.people.models import CareMembership, Household, Move, PartyMember, PartyOrganisation, Resident


def _scope(user) -> str | None:
    if not getattr(user, "is_authenticated", False) or user.role not in PEOPLE_READERS:
        return None
    return user.scope_code


def residents_visible_to(user, *, include_moved_out: bool = False):
    code = _scope(user)
    if code is None:
        return Resident.objects.none()
    residents = Resident.objects.filter(area_code__subtree=code)
    return residents if include_moved_out else residents.filter(is_active=True)


def resident_get_for(user, resident_id: int) -> Resident:
    return get_object_or_404(residents_visible_to(user, include_moved_out=True), pk=resident_id)


def residents_search(user, *, query: str = "", care_group: str = "", area_code: str = ""):
    """Search by name (prefix), full ID number or full phone (exact, through the blind index)."""
    residents = residents_visible_to(user).select_related("household__dwelling__building__estate")
    query = query.strip()
    if query:
        exact = blind_index(idcard.normalise(query))
        residents = residents.filter(Q(name__startswith=query) | Q(id_number_index=exact) | Q(phone_index=exact))
    if care_group:
        residents = residents.filter(pk__in=care_members(group=care_group).values("resident_id"))
    if area_code:
        residents = residents.filter(area_code__subtree=area_code)
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
    households = Household.objects.filter(area_code__subtree=code)
    return households if include_moved_out else households.filter(is_active=True)


def household_get_for(user, household_id: int) -> Household:
    return get_object_or_404(households_visible_to(user, include_moved_out=True), pk=household_id)


def households_unverified(user, *, days: int, today: dt.date | None = None):
    """Households not verified in person (错时入户排查) for `days` days or never."""
    cutoff = (today or timezone.localdate()) - dt.timedelta(days=days)
    return (households_visible_to(user)
            .filter(Q(last_verified_on__isnull=True) | Q(last_verified_on__lt=cutoff))
            .select_related("dwelling__building__estate")
            .order_by("last_verified_on", "number"))


def resident_history(resident: Resident):
    return Move.objects.filter(resident=resident).select_related(
        "from_dwelling__building__estate", "to_dwelling__building__estate", "recorded_by",
    )


def dwelling_history(dwelling):
    return Move.objects.filter(Q(from_dwelling=dwelling) | Q(to_dwelling=dwelling)).select_related(
        "resident", "recorded_by", "from_dwelling__building__estate", "to_dwelling__building__estate",
    ).order_by("moved_on", "id")


def party_members_visible_to(user):
    code = _scope(user)
    if code is None:
        return PartyMember.objects.none()
    return PartyMember.objects.filter(
        Q(organisation__area__code__subtree=code) | Q(enlisted_community__code__subtree=code)
    ).distinct()


def household_history(household: Household):
    """The moves of everyone who has belonged to the household, oldest first."""
    return Move.objects.filter(resident__household=household).select_related(
        "resident", "from_dwelling__building__estate", "to_dwelling__building__estate", "recorded_by",
    ).order_by("moved_on", "id")


def household_dwellings(household: Household) -> list:
    """The dwellings the household has lived in, in order (from its members' moves)."""
    dwellings = []
    for move in household_history(household):
        if move.to_dwelling is not None and (not dwellings or dwellings[-1] != move.to_dwelling):
            dwellings.append(move.to_dwelling)
    return dwellings


def party_organisations_visible_to(user):
    code = _scope(user)
    if code is None:
        return PartyOrganisation.objects.none()
    return (PartyOrganisation.objects.filter(area__code__subtree=code)
            .select_related("area", "parent")
            .annotate(member_count=Count("members", distinct=True))
            .order_by("area__code", "kind", "name"))


def party_organisation_get_for(user, organisation_id: int) -> PartyOrganisation:
    return get_object_or_404(party_organisations_visible_to(user), pk=organisation_id)


def party_members_of(user, *, organisation_id: int | None = None, enlisted: bool | None = None):
    members = party_members_visible_to(user).select_related("organisation", "resident", "enlisted_community")
    if organisation_id is not None:
        members = members.filter(organisation_id=organisation_id)
    if enlisted is not None:
        members = members.filter(is_enlisted=enlisted)
    return members.order_by("organisation__area__code", "name", "id")


def party_households_visible_to(user):
    return households_visible_to(user).filter(is_party_household=True).select_related("dwelling__building__estate")
