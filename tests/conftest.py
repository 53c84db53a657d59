"""Shared test setup: Qt offscreen, isolated user dirs, GUI tests marked automatically."""

from __future__ import annotations

import faulthandler
import os
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.local_servers import LocalServers

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# QSettings (window geometry) and anything else XDG-based must not touch the real user's config.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="themestudio-xdg-")
# platformdirs (used by the embedded pgserver) warns when there is no runtime dir.
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="themestudio-run-"))
# `kill -USR1 <pid>` prints every thread's stack: the way to see where a hung Qt test waits.
faulthandler.register(signal.SIGUSR1, all_threads=True)

# Session fixtures started once by whoever needs them: a real SeaweedFS (S3 with signatures and policies
# enforced), a real Secret Service (gnome-keyring on a private D-Bus) and a fake DigitalOcean API.
# Registered here, never imported into test modules: an imported fixture is a second, separate instance.
pytest_plugins = ["tests.backend.seaweed", "tests.adapters.keyring_service", "tests.adapters.fake_do_api"]

REPO = Path(__file__).resolve().parents[1]
_SERVERS = LocalServers()


def pytest_configure(config: pytest.Config) -> None:
    # Before any fixture or test module reads DATABASE_URL / REDIS_URL.
    _SERVERS.ensure()


def pytest_unconfigure(config: pytest.Config) -> None:
    _SERVERS.stop()


def pytest_report_header(config: pytest.Config) -> str:
    started = ", ".join(_SERVERS.started)
    return (
        f"throwaway servers: {started}" if started else "servers: the configured or local PostgreSQL, Redis"
    )


CORPUS = REPO / "tests" / "data" / "corpus"  # Bootstrap, Bulma, normalize.css (MIT), vendored


@pytest.fixture(autouse=True, scope="session")
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep tests away from the real user's recent list, data and settings."""
    base = tmp_path_factory.mktemp("userdirs")
    old = {k: os.environ.get(k) for k in ("THEMESTUDIO_CONFIG_DIR", "THEMESTUDIO_DATA_DIR")}
    os.environ["THEMESTUDIO_CONFIG_DIR"] = str(base / "config")
    os.environ["THEMESTUDIO_DATA_DIR"] = str(base / "data")
    yield
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {"qtbot", "qapp"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.gui)
