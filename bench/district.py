"""Import a district's population through the project's bulk path, beside a raw insert of the
same rows (executemany on SQLite, COPY on PostgreSQL) as the ceiling.

The project path (gridgov.demo.bulk.households_bulk_move_in) validates ID numbers, encrypts
ID numbers and phones, computes blind indexes, copies area codes and writes a move-in row per
resident — what a ledger import's apply step must do. The ceiling writes the same households,
residents and moves with their values already in hand. Rows are residents.
"""

import time

from django.db import connection, transaction
from django.utils import timezone

from bench import data
from bench.figures import Figure
from gridgov.demo.bulk import Occupancy, households_bulk_move_in
from gridgov.lib import idcard
from gridgov.people.models import Household, Move, Resident
from gridgov.territory.models import Dwelling

NAME = "district"


def _raw_rows(chunk: list[Occupancy], first_household: int, first_resident: int):
    now = timezone.now()
    codes = dict(Dwelling.objects.filter(pk__in=[row.dwelling_id for row in chunk])
                 .values_list("pk", "building__area_code"))
    households, residents, moves = [], [], []
    resident_id = first_resident
    for n, row in enumerate(chunk):
        household_id = first_household + n
        code = codes[row.dwelling_id]
        households.append((household_id, row.plan.number, row.dwelling_id, code, row.moved_in_on,
                           row.last_verified_on, False, True))
        for person in row.plan.people:
            birth, gender = idcard.parse(person.id_number)
            residents.append((resident_id, person.name, gender, person.id_number, person.id_number, birth,
                              person.phone, person.phone, household_id, person.household_role, person.hukou_kind,
                              row.moved_in_on, code, True, now, now))
            moves.append((resident_id, "move_in", row.dwelling_id, row.moved_in_on, now, ""))
            resident_id += 1
    return households, residents, moves


_COLUMNS = {
    "people_household": "id, number, dwelling_id, area_code, moved_in_on, last_verified_on, is_party_household, "
                        "is_active",
    "people_resident": "id, name, gender, id_number, id_number_index, birth_date, phone, phone_index, household_id, "
                       "household_role, hukou_kind, residence_since, area_code, is_active, created_at, updated_at",
    "people_move": "resident_id, kind, to_dwelling_id, moved_on, recorded_at, note",
}


def _sqlite_value(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _raw_insert(table: str, rows: list[tuple]) -> None:
    columns = _COLUMNS[table]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("%s" for _ in columns.split(","))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                               [tuple(_sqlite_value(v) for v in row) for row in rows])


def _ceiling(s: data.Size, dwellings) -> tuple[int, float]:
    residents, seconds, household_id, resident_id = 0, 0.0, 1, 1
    for chunk in data.chunks(s, dwellings):
        households, people, moves = _raw_rows(chunk, household_id, resident_id)
        started = time.perf_counter()
        with transaction.atomic():
            _raw_insert("people_household", households)
            _raw_insert("people_resident", people)
            _raw_insert("people_move", moves)
        seconds += time.perf_counter() - started
        household_id += len(households)
        resident_id += len(people)
        residents += len(people)
    _people_delete()
    return residents, seconds


def _people_delete() -> None:
    with transaction.atomic():
        Move.objects.all()._raw_delete(Move.objects.db)
        Resident.objects.all()._raw_delete(Resident.objects.db)
        Household.objects.all()._raw_delete(Household.objects.db)


def population_import(s: data.Size, dwellings) -> tuple[int, float]:
    """The whole district through the project's path; (residents, seconds spent writing)."""
    residents, seconds = 0, 0.0
    for chunk in data.chunks(s, dwellings):
        started = time.perf_counter()
        residents += households_bulk_move_in(rows=chunk)
        seconds += time.perf_counter() - started
    return residents, seconds


def population_ensure(quick: bool) -> None:
    """The district with its people, imported unless already there (for scenarios that read it)."""
    s = data.size(quick)
    grids = data.territory_ensure(s)
    if not Household.objects.filter(area_code__startswith=data.DISTRICT_CODE).exists():
        population_import(s, data.dwellings_ensure(s, grids))


def run(*, quick: bool) -> list[Figure]:
    s = data.size(quick)
    _people_delete()
    dwellings = data.dwellings_ensure(s, data.territory_ensure(s))
    raw_rows, raw_seconds = _ceiling(s, dwellings)
    rows, seconds = population_import(s, dwellings)
    raw = "COPY" if connection.vendor == "postgresql" else "executemany"
    return [Figure(
        scenario=NAME, name=f"导入居民（{s.residents:,} 人 / {s.households:,} 户 / {s.grid_count:,} 网格）",
        value=round(rows / seconds), unit="rows/s", ceiling=round(raw_rows / raw_seconds),
        ceiling_name=f"同样的行直接 {raw}（不加密、不建盲索引）",
    )]
