import pytest

from gridgov.territory.models import Area


@pytest.mark.parametrize(("code", "expected"), [
    ("500113002001", ["东城社区", "第一网格", "第一网格1号微网格", "第二网格", "第二网格1号微网格"]),
    ("500113002001001", ["第一网格", "第一网格1号微网格"]),
    ("50011300200100101", ["第一网格1号微网格"]),
    ("500113002001003", []),
])
def test_subtree_is_the_area_and_everything_under_it(area, code, expected):
    assert [a.name for a in Area.objects.filter(code__subtree=code).order_by("code")] == expected


def test_a_scoped_resident_read_searches_an_index_instead_of_scanning(db):
    from django.db import connection

    from gridgov.people.models import Resident

    sql, params = Resident.objects.filter(area_code__subtree="500113002001001").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "SEARCH people_resident USING INDEX resident_area_name (area_code>? AND area_code<?)" in plan
        else:
            assert "LIKE" in sql
