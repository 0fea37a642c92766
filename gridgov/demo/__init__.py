"""Deterministic demo data: the street 界石镇 with 东城社区 and two neighbours, and its staff.

Not a Django app: modules only. `gridgov demo` (core/management/commands/demo.py) drives it;
`bench/` reuses the people generator and the bulk writer for a district-sized import.
"""
