"""`gridgov bench` runs its scenarios in a throw-away database and reports figures as a table or JSON."""

import dataclasses
import importlib
import io
import json
import os

import pytest
from django.core.management import CommandError, call_command

from bench.figures import Figure
from bench.registry import SCENARIOS
from gridgov.core.management.commands.bench import Command
from gridgov.territory.models import Area

FIGURE_KEYS = {f.name for f in dataclasses.fields(Figure)}


def test_every_registered_scenario_names_itself_and_can_run():
    for name in SCENARIOS:
        module = importlib.import_module(f"bench.{name}")
        assert module.NAME == name
        assert callable(module.run)


@pytest.mark.slow
@pytest.mark.django_db
def test_json_output_is_a_list_of_figures_and_the_users_database_is_untouched():
    out = io.StringIO()
    call_command("bench", "--only", "locate", "--quick", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert [f["scenario"] for f in figures] == ["locate"]
    assert set(figures[0]) == FIGURE_KEYS
    assert figures[0]["unit"] == "points/s"
    assert figures[0]["value"] > 0 and figures[0]["ceiling"] > 0
    assert Area.objects.count() == 0


def test_an_unknown_scenario_is_refused():
    with pytest.raises(CommandError, match="没有名为 'nope' 的场景"):
        call_command("bench", "--only", "nope")


def test_the_table_puts_each_result_beside_its_ceiling():
    figures = [
        Figure(scenario="locate", name="定位", value=500_000, unit="points/s", ceiling=1_000_000,
               ceiling_name="裸 STRtree").as_dict(),
        Figure(scenario="search", name="查询 p50", value=4.0, unit="ms", ceiling=2.0, ceiling_name="裸 SQL").as_dict(),
    ]
    lines = Command().render(figures).splitlines()
    assert lines[0].split() == ["场景", "指标", "本项目", "上限", "单位", "达上限", "上限为"]
    assert lines[2].split() == ["locate", "定位", "500,000", "1,000,000", "points/s", "50%", "裸", "STRtree"]
    assert lines[3].split() == ["search", "查询", "p50", "4.00", "2.00", "ms", "50%", "裸", "SQL"]


def test_targets_get_their_own_columns_when_a_scenario_names_them():
    figures = [
        Figure(scenario="sensors_ingest", name="积压消费", value=6_000, unit="msg/s", ceiling=10_000,
               ceiling_name="裸订阅者", target="≥ 50%", ok=True).as_dict(),
        Figure(scenario="sensors_ingest", name="扫描", value=3.0, unit="ms", ceiling=None).as_dict(),
    ]
    lines = Command().render(figures).splitlines()
    assert lines[0].split()[-2:] == ["目标", "达标"]
    assert lines[2].split()[-3:] == ["≥", "50%", "是"]
    assert lines[3].split()[-2:] == ["—", "—"]


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("GRIDGOV_TEST_DATABASE_URL", "").startswith("postgres"),
                    reason="needs PostgreSQL (GRIDGOV_TEST_DATABASE_URL)")
def test_a_postgresql_scratch_database_is_created_and_dropped():
    import psycopg

    url = os.environ["GRIDGOV_TEST_DATABASE_URL"]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"

    def scratch_databases() -> list[str]:
        with psycopg.connect(admin_url) as conn:
            rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'gridgov_bench_%'").fetchall()
        return [name for (name,) in rows]

    before = scratch_databases()
    out = io.StringIO()
    call_command("bench", "--only", "locate", "--quick", "--json", "--database-url", url, stdout=out)
    assert [f["scenario"] for f in json.loads(out.getvalue())] == ["locate"]
    assert scratch_databases() == before


def test_the_load_generator_counts_every_answer_of_a_keep_alive_server():
    import http.server
    import json
    import subprocess
    import sys
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            answer = json.dumps({"echo": body.decode()}).encode()
            self.send_response(201 if body.startswith(b"ok") else 400)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        plan = {"port": server.server_address[1], "connections": 2, "seconds": 0.5, "tag": "t",
                "requests": [{"head": "POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\n", "body": "ok-{uid}"},
                             {"head": "POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\n", "body": "no-{uid}"}]}
        proc = subprocess.Popen([sys.executable, "-m", "bench.loadgen"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True)
        proc.stdin.write(json.dumps(plan) + "\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "ready"
        proc.stdin.write("go\n")
        proc.stdin.flush()
        result = json.loads(proc.stdout.readline())
        proc.wait(timeout=10)
    finally:
        server.shutdown()
    assert set(result["statuses"]) == {201, 400}
    assert len(result["latencies"]) == len(result["statuses"]) > 2
    assert result["errors"][0].startswith('400 {"echo": "no-t-')
    assert result["ended"] - result["started"] >= 0.5
