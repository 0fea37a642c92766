"""`area_code__subtree=code`: an area and everything under it, by code.

A child's code extends its parent's and codes are digits only, so a subtree is the range
[code, code + ":") — ':' sorts right after '9'. SQLite answers that range from an ordinary index,
where `LIKE 'code%'` would scan the whole table; PostgreSQL keeps `LIKE`, which its
`varchar_pattern_ops` indexes answer.
"""

from django.db.models import CharField, Lookup
from django.db.models.lookups import StartsWith


@CharField.register_lookup
class Subtree(Lookup):
    lookup_name = "subtree"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        upper = [f"{rhs_params[0]}:"]
        return f"({lhs} >= {rhs} AND {lhs} < {rhs})", [*lhs_params, *rhs_params, *lhs_params, *upper]

    def as_postgresql(self, compiler, connection):
        return StartsWith(self.lhs, self.rhs).as_sql(compiler, connection)
