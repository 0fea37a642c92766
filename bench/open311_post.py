"""Case intake over HTTP — `/api/v1/cases/intake` and Open311 `POST requests.json` — beside `/healthz`.

The server is granian started exactly as `gridgov serve` starts it (its argv, with its default
workers and threads), against the bench's scratch database (an in-memory SQLite database is
replaced by a temporary SQLite file). The seed — one street with a 2 km grid, the product's
category catalogue, a triage model trained on the corpus (as `gridgov demo` has one), an
integration account with an API token and an Open311 organisation with its key — is written by
a subprocess, so it is committed whatever transaction the bench runner holds.

The load: CLIENTS keep-alive connections spread over LOAD_PROCESSES `bench.loadgen` processes.
Three phases of the same length with the same connections: the API intake (channel api, a
unique external_id per request, as a partner system sends), Open311 POST (form-encoded, no
external_id, as the spec's clients send), and GET /healthz — the ceiling: the same server's
trivial JSON view through the same middleware. A fourth phase reads the floor of any write on
this server: `POST /bench/floor` (bench/floor.py; the server runs with `bench.floor_settings`, the
product's settings with that one route added) parses the same JSON body and inserts one row,
group-committed as the intake is, and does nothing else. Texts are residents' own reports (the
triage held-out set) at random points of the grid, each with a phone number. Every response must be
201 (API) or 200, and afterwards the database must hold exactly one case per answered request.
BENCH_SERVER_LOG=FILE keeps the server's stderr (its warnings, e.g. a group commit retried item by item).
"""

import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from bench.figures import Figure

NAME = "open311_post"
CLIENTS = 32
LOAD_PROCESSES = 4   # 8 connections each: the client side is not one GIL
SECONDS = {True: 3.0, False: 15.0}
WARM_UP = 1.5        # seconds of each kind of POST before the timed phases
VARIANTS = 2000      # distinct request bodies per phase (points and texts), cycled
GRID = {"lng": 106.50, "lat": 29.50, "size": 0.02}  # about 2 km square
TARGET = 0.40
API_SOURCE = "bench-partner"
REPO = Path(__file__).resolve().parent.parent


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
            "GRIDGOV_VAR_DIR": str(settings.VAR_DIR), "GRIDGOV_LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}


def seed() -> dict:
    """Run in a subprocess: territory, catalogue, triage model, API token and Open311 key (printed as JSON)."""
    from django.db import transaction

    from gridgov.accounts.enums import Role
    from gridgov.accounts.models import User
    from gridgov.accounts.services import api_token_create
    from gridgov.cases.services import category_sync_from_catalogue
    from gridgov.cases.triage.catalogue import CATALOGUE_PATH
    from gridgov.cases.triage.model import model_path, model_train
    from gridgov.open311.services import client_key_create
    from gridgov.territory.enums import AreaKind
    from gridgov.territory.models import Area

    g = GRID
    square = {"type": "Polygon", "coordinates": [[[g["lng"], g["lat"]], [g["lng"] + g["size"], g["lat"]],
                                                  [g["lng"] + g["size"], g["lat"] + g["size"]],
                                                  [g["lng"], g["lat"] + g["size"]], [g["lng"], g["lat"]]]]}
    with transaction.atomic():
        parent = street = None
        for kind, name, code in ((AreaKind.DISTRICT, "基准区二", "990200"), (AreaKind.STREET, "基准街道二", "990200001"),
                                 (AreaKind.COMMUNITY, "基准社区", "990200001001"),
                                 (AreaKind.GRID, "基准网格", "990200001001001")):
            parent, _ = Area.objects.get_or_create(code=code, defaults={
                "kind": kind, "name": name, "parent": parent, "boundary": square if kind == AreaKind.GRID else None})
            street = parent if kind == AreaKind.STREET else street
        category_sync_from_catalogue(CATALOGUE_PATH)
        _, open311_key = client_key_create(organisation="基准接入机构")
        user = User.objects.create_user(username="bench-partner", role=Role.COMMAND_CENTRE, area=street,
                                        display_name="基准对接系统")
        _, api_key = api_token_create(user=user, name="基准对接")
    if not model_path().exists():
        model_train()
    return {"open311_key": open311_key, "api_key": api_key}


def _seed_in_subprocess(url: str) -> dict:
    code = "import django, json; django.setup(); from bench.open311_post import seed; print(json.dumps(seed()))"
    done = subprocess.run([sys.executable, "-c", code], env=_env(url), check=True, capture_output=True, text=True,
                          cwd=REPO)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _count_cases(url: str) -> dict:
    """Cases per channel, counted by a fresh process (nothing cached in this one)."""
    code = ("import django, json; django.setup(); from django.db.models import Count; "
            "from gridgov.cases.models import Case; "
            "print(json.dumps(dict(Case.objects.values_list('channel').annotate(n=Count('id')).order_by())))")
    done = subprocess.run([sys.executable, "-c", code], env=_env(url), check=True, capture_output=True, text=True,
                          cwd=REPO)
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the server --------------------------------------------------------------------------------------

def _floor_rows_delete(url: str) -> None:
    code = ("import django; django.setup(); from gridgov.core.models import Heartbeat; "
            "from bench.floor import ROW_PREFIX; Heartbeat.objects.filter(name__startswith=ROW_PREFIX).delete()")
    subprocess.run([sys.executable, "-c", code], env=_env(url), check=True, capture_output=True, text=True, cwd=REPO)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(url: str, port: int) -> tuple[subprocess.Popen, dict]:
    """granian with `gridgov serve`'s own argv and defaults."""
    from django.conf import settings

    from gridgov.core.management.commands import serve

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    shape = {"workers": serve.default_workers(), "threads": serve.DEFAULT_THREADS}
    argv = serve.granian_argv("127.0.0.1", port, shape["threads"], shape["workers"])
    log = open(os.environ.get("BENCH_SERVER_LOG", os.devnull), "w")  # the server holds it open
    env = {**_env(url), "DJANGO_SETTINGS_MODULE": "bench.floor_settings"}
    server = subprocess.Popen(argv, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"granian 启动失败（退出码 {server.returncode}）")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return server, shape
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("granian 未能在60秒内启动")


# --- the requests ------------------------------------------------------------------------------------

def _texts() -> list[tuple[str, str]]:
    from gridgov.cases.triage.corpus import heldout_rows

    return [(row["text"], row["category"]) for row in heldout_rows()]


def _point(rng: random.Random) -> tuple[str, str]:
    return (f"{GRID['lat'] + rng.random() * GRID['size']:.6f}", f"{GRID['lng'] + rng.random() * GRID['size']:.6f}")


def _phone(rng: random.Random) -> str:
    return f"139{rng.randrange(10**8):08d}"


def _api_requests(key: str, rng: random.Random) -> list[dict]:
    head = ("POST /api/v1/cases/intake HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {key}\r\n")
    texts, out = _texts(), []
    for _ in range(VARIANTS):
        text, _ = rng.choice(texts)
        lat, lng = _point(rng)
        body = json.dumps({"channel": "api", "description": text, "lat": float(lat), "lng": float(lng),
                           "reporter_phone": _phone(rng), "source": API_SOURCE, "external_id": "{uid}"},
                          ensure_ascii=False)
        out.append({"head": head, "body": body})
    return out


def _open311_requests(key: str, rng: random.Random) -> list[dict]:
    head = ("POST /open311/v2/requests.json HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n")
    texts, out = _texts(), []
    for _ in range(VARIANTS):
        text, code = rng.choice(texts)
        lat, lng = _point(rng)
        form = {"api_key": key, "service_code": code, "description": text, "lat": lat, "long": lng,
                "phone": _phone(rng), "device_id": "bench"}
        out.append({"head": head, "body": urllib.parse.urlencode(form)})
    return out


def _floor_requests(api: list[dict]) -> list[dict]:
    """The API intake's own bodies, to the one-row insert."""
    head = "POST /bench/floor HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    return [{"head": head, "body": request["body"]} for request in api]


def _healthz_requests() -> list[dict]:
    return [{"head": "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n", "body": ""}]


# --- the load ----------------------------------------------------------------------------------------

def _load(port: int, requests: list[dict], seconds: float, tag: str) -> tuple[float, list[float], list[int]]:
    """Rate, latencies and statuses of CLIENTS connections over LOAD_PROCESSES processes, started together."""
    per = [CLIENTS // LOAD_PROCESSES + (i < CLIENTS % LOAD_PROCESSES) for i in range(LOAD_PROCESSES)]
    procs = [subprocess.Popen([sys.executable, "-m", "bench.loadgen"], cwd=REPO, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True) for _ in per]
    try:
        for i, (proc, n) in enumerate(zip(procs, per, strict=True)):
            proc.stdin.write(json.dumps({"port": port, "connections": n, "seconds": seconds,
                                         "requests": requests, "tag": f"{tag}-{i}"}) + "\n")
            proc.stdin.flush()
        for proc in procs:
            if proc.stdout.readline().strip() != "ready":
                raise RuntimeError("负载进程未能连接服务")
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = [json.loads(proc.stdout.readline()) for proc in procs]
    finally:
        for proc in procs:
            proc.wait(timeout=seconds + 60)
    errors = [e for r in results for e in r["errors"]]
    statuses = [s for r in results for s in r["statuses"]]
    if errors or not statuses:
        raise RuntimeError(f"{tag}：{len(errors)} 个请求失败，例如 {errors[:1]}")
    elapsed = max(r["ended"] for r in results) - min(r["started"] for r in results)
    return len(statuses) / elapsed, [x for r in results for x in r["latencies"]], statuses


def _ms(values: list[float], q: int) -> float:
    return round(statistics.quantiles(values, n=100)[q - 1] * 1000, 1)


def _rate_figure(name: str, rate: float, ceiling: float) -> Figure:
    return Figure(NAME, name, round(rate, 1), "requests/s", round(ceiling, 1), "GET /healthz，同一服务同一并发",
                  target=f"≥ {TARGET:.0%} 上限", ok=rate >= TARGET * ceiling)


def run(*, quick: bool) -> list[Figure]:
    seconds = SECONDS[quick]
    rng = random.Random(311)
    with tempfile.TemporaryDirectory(prefix="gridgov-open311-bench-") as tmp:
        url = _database_url(Path(tmp))
        keys = _seed_in_subprocess(url)
        port = _free_port()
        server, shape = _serve(url, port)
        try:
            api, o311 = _api_requests(keys["api_key"], rng), _open311_requests(keys["open311_key"], rng)
            for kind, requests in (("warm-api", api), ("warm-o311", o311)):
                _load(port, requests, WARM_UP, kind)  # every worker loads its model and indexes, not timed
            before = _count_cases(url)
            api_rate, api_times, api_statuses = _load(port, api, seconds, "api")
            o311_rate, o311_times, o311_statuses = _load(port, o311, seconds, "o311")
            ceiling, _, health_statuses = _load(port, _healthz_requests(), seconds, "healthz")
            floor_rate, _, floor_statuses = _load(port, _floor_requests(api), seconds, "floor")
        finally:
            server.terminate()
            server.wait(timeout=30)
        after = _count_cases(url)
        _floor_rows_delete(url)
    _check(api_statuses, {201}, after.get("api", 0) - before.get("api", 0), len(api_statuses) + len(o311_statuses))
    _check(o311_statuses, {200}, None, None)
    _check(health_statuses, {200}, None, None)
    _check(floor_statuses, {201}, None, None)
    label = (f"{CLIENTS} 个 keep-alive 客户端（{LOAD_PROCESSES} 个负载进程），"
             f"granian {shape['workers']} 进程 × {shape['threads']} 线程")
    return [
        _rate_figure(f"接口上报 POST /api/v1/cases/intake，{label}", api_rate, ceiling),
        Figure(NAME, "接口上报 p50", _ms(api_times, 50), "ms", None),
        Figure(NAME, "接口上报 p95", _ms(api_times, 95), "ms", None),
        _rate_figure(f"Open311 POST requests.json，{label}", o311_rate, ceiling),
        Figure(NAME, "Open311 POST p50", _ms(o311_times, 50), "ms", None),
        Figure(NAME, "Open311 POST p95", _ms(o311_times, 95), "ms", None),
        Figure(NAME, f"参照：最简写入 POST /bench/floor（解析同一JSON、ORM插入一行、合并提交），{label}",
               round(floor_rate, 1), "requests/s", round(ceiling, 1), "GET /healthz，同一服务同一并发"),
    ]


def _check(statuses: list[int], expected: set[int], stored: int | None, answered: int | None) -> None:
    """Every answer as expected, and (API and Open311 share channel api) one stored case per answer."""
    wrong = [s for s in statuses if s not in expected]
    if wrong:
        raise RuntimeError(f"{len(wrong)} 个请求的状态码不是 {sorted(expected)}，例如 {wrong[0]}")
    if stored is not None and stored != answered:
        raise RuntimeError(f"应答了 {answered} 个上报，库里新增 {stored} 个事件")


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    django.setup()
    print(json.dumps([f.as_dict() for f in run(quick="--full" not in sys.argv)], ensure_ascii=False, indent=1))
