"""`gridgov serve`: granian with one worker per core and 16 threads each; `up` and the intake bench use the same."""

import os

from gridgov.core.management.commands import serve


def test_serve_defaults_to_a_worker_per_core_and_sixteen_threads(settings):
    argv = serve.granian_argv("127.0.0.1", 8000, serve.DEFAULT_THREADS, serve.default_workers())
    assert argv[argv.index("--workers") + 1] == str(os.cpu_count())
    assert argv[argv.index("--blocking-threads") + 1] == "16"
    assert argv[argv.index("--interface") + 1] == "wsgi"
    assert argv[argv.index("--static-path-mount") + 1] == str(settings.STATIC_ROOT)
