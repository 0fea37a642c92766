"""Open311 POST requests.json throughput beside the same server's /healthz ceiling.

granian serves the app in a subprocess against the bench's scratch database (an in-memory SQLite
database is replaced by a temporary SQLite file); the seed (one street, one 2 km grid, one service,
one organisation's key) is written by a subprocess too, so it is committed whatever transaction the
bench runner holds. N client threads, each with one keep-alive http.client connection, post
form-encoded reports at random points of the grid for a fixed time; then the same clients GET /healthz
for the same time. Every response must be 200, or the scenario fails.
"""

import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from bench.figures import Figure

NAME = "open311_post"
CLIENTS = 8
THREADS = 4  # granian --blocking-threads, as `gridgov serve` defaults
SECONDS = {True: 3.0, False: 15.0}
GRID = {"lng": 106.50, "lat": 29.50, "size": 0.02}  # about 2 km square
SERVICE = "BENCH01"


# --- the scratch database, seen by subprocesses -------------------------------------------------------

def _database_url(tmp: Path) -> str:
    """The default database as a URL another process can open (in-memory SQLite: a fresh migrated file)."""
    from django.db import connection

    config = connection.settings_dict
    if config["ENGINE"].endswith("postgresql"):
        user = config["USER"] or "postgres"
        password = f":{urllib.parse.quote(config['PASSWORD'])}" if config["PASSWORD"] else ""
        return f"postgresql://{user}{password}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}/{config['NAME']}"
    name = str(config["NAME"])
    if name == ":memory:" or name.startswith("file:memorydb") or "mode=memory" in name:
        name = str(tmp / "open311_bench.sqlite3")
        subprocess.run([sys.executable, "-m", "gridgov", "migrate", "--no-input", "-v", "0"],
                       env=_env(f"sqlite:///{name}"), check=True)
    return f"sqlite:///{name}"


def _env(url: str) -> dict:
    from django.conf import settings

    return {**os.environ, "GRIDGOV_DATABASE_URL": url, "GRIDGOV_SECRET_KEY": settings.SECRET_KEY,
            "GRIDGOV_DATA_KEY": settings.GRIDGOV_DATA_KEY, "DJANGO_SETTINGS_MODULE": "gridgov.settings",
            "GRIDGOV_LOG_LEVEL": "WARNING"}


def seed() -> str:
    """Run in a subprocess: the street, grid, service and organisation; prints the organisation's key."""
    from django.db import transaction

    from gridgov.cases.models import Category
    from gridgov.open311.services import client_key_create
    from gridgov.territory.enums import AreaKind
    from gridgov.territory.models import Area

    g = GRID
    square = {"type": "Polygon", "coordinates": [[[g["lng"], g["lat"]], [g["lng"] + g["size"], g["lat"]],
                                                  [g["lng"] + g["size"], g["lat"] + g["size"]],
                                                  [g["lng"], g["lat"] + g["size"]], [g["lng"], g["lat"]]]]}
    with transaction.atomic():
        parent = None
        for kind, name, code in ((AreaKind.DISTRICT, "基准区二", "990200"), (AreaKind.STREET, "基准街道二", "990200001"),
                                 (AreaKind.COMMUNITY, "基准社区", "990200001001"),
                                 (AreaKind.GRID, "基准网格", "990200001001001")):
            parent, _ = Area.objects.get_or_create(code=code, defaults={
                "kind": kind, "name": name, "parent": parent, "boundary": square if kind == AreaKind.GRID else None})
        top, _ = Category.objects.get_or_create(code="BENCH", defaults={"name": "基准大类"})
        Category.objects.get_or_create(code=SERVICE, defaults={"name": "基准服务", "parent": top,
                                                               "keywords": ["基准"]})
        _, key = client_key_create(organisation="基准接入机构")
    return key


def _seed_in_subprocess(url: str) -> str:
    code = "import django; django.setup(); from bench.open311_post import seed; print(seed())"
    done = subprocess.run([sys.executable, "-c", code], env=_env(url), check=True, capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent)
    return done.stdout.strip().splitlines()[-1]


# --- the server --------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(url: str, port: int) -> subprocess.Popen:
    argv = [sys.executable, "-m", "granian", "--interface", "wsgi", "gridgov.wsgi:application", "--host", "127.0.0.1",
            "--port", str(port), "--workers", "1", "--blocking-threads", str(THREADS)]  # as `gridgov serve`, no static
    server = subprocess.Popen(argv, env=_env(url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("granian 未能在30秒内启动")


# --- the load ----------------------------------------------------------------------------------------

def _client(port: int, make_request, seconds: float, out: list, errors: list, seed: int) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        method, path, body, headers = make_request(rng)
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        out.append(time.perf_counter() - started)
        if response.status != 200:
            errors.append((response.status, content[:300]))
    connection.close()


def _load(port: int, make_request, seconds: float) -> tuple[float, list[float]]:
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    errors: list = []
    threads = [threading.Thread(target=_client, args=(port, make_request, seconds, latencies[i], errors, i))
               for i in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} 个请求失败，例如 {errors[0]}")
    every = [x for part in latencies for x in part]
    return len(every) / elapsed, every


def _post(key: str):
    def make(rng: random.Random):
        form = {"api_key": key, "service_code": SERVICE, "description": "基准测试：路面破损需要修补",
                "lat": f"{GRID['lat'] + rng.random() * GRID['size']:.6f}",
                "long": f"{GRID['lng'] + rng.random() * GRID['size']:.6f}", "device_id": "bench"}
        return ("POST", "/open311/v2/requests.json", urllib.parse.urlencode(form),
                {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})

    return make


def _healthz(rng: random.Random):
    return "GET", "/healthz", None, {}


def _ms(values: list[float], q: float) -> float:
    return round(statistics.quantiles(values, n=100)[int(q) - 1] * 1000, 1)


def run(*, quick: bool) -> list[Figure]:
    seconds = SECONDS[quick]
    with tempfile.TemporaryDirectory(prefix="gridgov-open311-bench-") as tmp:
        url = _database_url(Path(tmp))
        key = _seed_in_subprocess(url)
        port = _free_port()
        server = _serve(url, port)
        try:
            post_rate, post_times = _load(port, _post(key), seconds)
            ceiling, _ = _load(port, _healthz, seconds)
        finally:
            server.terminate()
            server.wait(timeout=10)
    label = f"{CLIENTS} 个并发客户端（keep-alive），granian 1 进程 {THREADS} 线程"
    return [
        Figure(NAME, f"Open311 POST requests.json，{label}", round(post_rate, 1), "requests/s", round(ceiling, 1),
               "GET /healthz，同一服务同一并发"),
        Figure(NAME, "Open311 POST requests.json p50", _ms(post_times, 50), "ms", None),
        Figure(NAME, "Open311 POST requests.json p95", _ms(post_times, 95), "ms", None),
    ]


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    django.setup()
    print(json.dumps([f.as_dict() for f in run(quick="--full" not in sys.argv)], ensure_ascii=False, indent=1))
