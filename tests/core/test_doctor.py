import io
import json

from django.core.management import call_command


def test_doctor_json_is_one_object_with_the_named_sections(households):
    out = io.StringIO()
    call_command("doctor", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["database"]["reachable"] is True
    assert report["database"]["pending_migrations"] == 0
    assert report["worker_heartbeat_age_s"] is None
    assert report["counts"] == {
        "streets": 1, "communities": 1, "grids": 2, "microgrids": 2,
        "buildings": 2, "dwellings": 3, "households": 2, "residents": 3,
    }
