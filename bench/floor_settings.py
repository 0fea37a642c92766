"""The product's settings with `bench.floor` as the URLconf: its URLs plus `POST /bench/floor`."""

from gridgov.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor"
