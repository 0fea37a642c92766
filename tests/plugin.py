"""Loaded by pytest before Django (`-p tests.plugin`): the test environment's configuration.

Keys are fixed test values; GRIDGOV_TEST_DATABASE_URL, when set, points the suite at PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("GRIDGOV_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("GRIDGOV_DATA_KEY", "dGVzdC1kYXRhLWtleS0zMi1ieXRlcy1sb25nLiEhISE=")
os.environ.setdefault("GRIDGOV_VAR_DIR", tempfile.mkdtemp(prefix="gridgov-test-"))
os.environ["GRIDGOV_DEMO"] = "0"
if os.environ.get("GRIDGOV_TEST_DATABASE_URL"):
    os.environ["GRIDGOV_DATABASE_URL"] = os.environ["GRIDGOV_TEST_DATABASE_URL"]
else:
    os.environ.pop("GRIDGOV_DATABASE_URL", None)
