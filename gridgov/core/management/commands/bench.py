"""`gridgov bench`: the scenarios of bench/registry.py in a throw-away database.

The scenarios run in a subprocess whose GRIDGOV_DATABASE_URL names a scratch database (a
temporary SQLite file, or a PostgreSQL database created for the run and dropped after it),
with throw-away keys, so the user's data is never opened.
"""

import base64
import json
import os
import secrets
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.core.management.base import BaseCommand, CommandError

import gridgov
from gridgov.core.management.commands.demo import table

REPO_ROOT = Path(gridgov.__file__).resolve().parent.parent


def _bench_root() -> Path:
    if not (REPO_ROOT / "bench" / "registry.py").exists():
        raise CommandError(f"找不到 {REPO_ROOT / 'bench'}：基准测试需要从源码目录安装（pip install -e .）")
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    return REPO_ROOT


@contextmanager
def scratch_database(url: str | None, workdir: Path):
    """The URL of an empty database that exists for the duration of the block.

    For PostgreSQL only the server and credentials of `url` are used: a database with a fresh
    name is created through the maintenance database `postgres` and dropped afterwards."""
    if not url:
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise CommandError("--database-url 只支持 postgresql://…（默认使用临时 SQLite 文件）")
    import psycopg

    name = f"gridgov_bench_{secrets.token_hex(4)}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))   # the server's maintenance database
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path="/" + name))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _progress_stream():
    """The scenarios' progress lines go to stderr, keeping stdout for the table or the JSON."""
    try:
        sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return subprocess.DEVNULL
    return sys.stderr


def _ratio(figure: dict) -> str:
    value, ceiling = figure["value"], figure["ceiling"]
    if not ceiling or not value:
        return "—"
    share = ceiling / value if figure["unit"] == "ms" else value / ceiling
    return f"{share:.0%}"


def _verdict(ok) -> str:
    return "—" if ok is None else ("是" if ok else "否")


def _number(value) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


class Command(BaseCommand):
    help = "性能基准：在临时数据库中运行 bench/registry.py 列出的场景，每项结果旁列出同机同次测得的上限"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="缩小规模（整次运行不超过两分钟）")
        parser.add_argument("--only", metavar="NAME", help="只运行一个场景")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 文档（Figure.as_dict() 的列表）")
        parser.add_argument("--database-url", metavar="postgresql://…",
                            help="在这台 PostgreSQL 上建一个临时数据库运行（结束后删除）；默认临时 SQLite 文件")

    def handle(self, *args, **options):
        root = _bench_root()
        from bench.registry import SCENARIOS

        if options["only"] and options["only"] not in SCENARIOS:
            raise CommandError(f"没有名为 {options['only']!r} 的场景；可选：{', '.join(SCENARIOS)}")
        with tempfile.TemporaryDirectory(prefix="gridgov-bench-") as workdir:
            with scratch_database(options["database_url"], Path(workdir)) as url:
                figures = self.run_scenarios(root, Path(workdir), url, options)
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(self.render(figures))

    def run_scenarios(self, root: Path, workdir: Path, url: str, options) -> list[dict]:
        out = workdir / "figures.json"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "gridgov.settings",
            "GRIDGOV_DATABASE_URL": url,
            "GRIDGOV_VAR_DIR": str(workdir / "var"),
            "GRIDGOV_SECRET_KEY": secrets.token_urlsafe(50),
            "GRIDGOV_DATA_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "GRIDGOV_LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
        }
        argv = [sys.executable, "-m", "bench.runner", "--out", str(out)]
        argv += ["--quick"] if options["quick"] else []
        argv += ["--only", options["only"]] if options["only"] else []
        done = subprocess.run(argv, cwd=root, env=env, stdout=_progress_stream(), check=False)
        if done.returncode != 0:
            raise CommandError(f"基准场景运行失败（退出码 {done.returncode}），见上方输出")
        return json.loads(out.read_text(encoding="utf-8"))

    def render(self, figures: list[dict]) -> str:
        rows = [(f["scenario"], f["name"], _number(f["value"]), _number(f["ceiling"]), f["unit"], _ratio(f),
                 f["ceiling_name"]) for f in figures]
        header = ("场景", "指标", "本项目", "上限", "单位", "达上限", "上限为")
        if any(f.get("target") for f in figures):      # the targets, where a scenario names them
            rows = [(*row, f.get("target") or "—", _verdict(f.get("ok"))) for row, f in zip(rows, figures, strict=True)]
            header = (*header, "目标", "达标")
        return table(header, rows)
