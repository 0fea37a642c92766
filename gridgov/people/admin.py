"""The people models in the admin, read-only: writes go through people.services (validation, move log).

Lists and pages show masked personal data only, never a plaintext ID number or phone.
"""

from django.contrib import admin

from gridgov.people.models import CareMembership, Household, Move, PartyMember, PartyOrganisation, Resident


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["number", "dwelling", "area_code", "moved_in_on", "last_verified_on", "is_party_household",
                    "is_active"]
    list_filter = ["is_active", "is_party_household"]
    search_fields = ["number"]
    raw_id_fields = ["dwelling"]
    readonly_fields = ["area_code"]


@admin.register(Resident)
class ResidentAdmin(ReadOnlyAdmin):
    list_display = ["name", "gender", "masked_id", "masked_tel", "household", "area_code", "is_active"]
    list_filter = ["is_active", "gender", "hukou_kind"]
    search_fields = ["name"]
    fields = ["name", "gender", "masked_id", "birth_date", "masked_tel", "household", "household_role",
              "hukou_kind", "residence_since", "area_code", "is_active", "created_at", "updated_at"]
    readonly_fields = fields

    @admin.display(description="身份证号")
    def masked_id(self, obj):
        return obj.masked_id_number

    @admin.display(description="联系电话")
    def masked_tel(self, obj):
        return obj.masked_phone


@admin.register(CareMembership)
class CareMembershipAdmin(ReadOnlyAdmin):
    list_display = ["resident", "group", "valid_from", "valid_to", "note"]
    list_filter = ["group"]
    raw_id_fields = ["resident"]


@admin.register(Move)
class MoveAdmin(ReadOnlyAdmin):
    list_display = ["resident", "kind", "moved_on", "from_dwelling", "to_dwelling", "recorded_by", "recorded_at"]
    list_filter = ["kind"]


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "parent", "area"]
    list_filter = ["kind"]
    raw_id_fields = ["parent", "area"]


@admin.register(PartyMember)
class PartyMemberAdmin(ReadOnlyAdmin):
    list_display = ["name", "organisation", "is_enlisted", "employer", "enlisted_community", "enlisted_on"]
    list_filter = ["is_enlisted"]
    search_fields = ["name", "employer"]
    raw_id_fields = ["resident", "organisation", "user", "enlisted_community"]
