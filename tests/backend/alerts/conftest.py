"""A fake App Platform API per test, and the spec of an app that has no alert policies yet."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.backend.alerts.fake_do import FakeAppPlatform, serve

REPO = Path(__file__).resolve().parents[3]
APP_YAML = REPO / "packaging" / "backend" / "app.yaml"
TOKEN = "dop_v1_" + "5e" * 32  # the shape of a DigitalOcean personal access token


def app_yaml() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(APP_YAML.read_text(encoding="utf-8"))
    return spec


@pytest.fixture
def bare_spec() -> dict[str, Any]:
    """``packaging/backend/app.yaml`` as deployed before it carried alerts."""
    spec = copy.deepcopy(app_yaml())
    for service in spec["services"]:
        service.pop("alerts", None)
    return spec


@pytest.fixture
def fake_app_platform() -> Iterator[tuple[FakeAppPlatform, str]]:
    """A running fake (state, base URL); fails the test if any request or answer broke the schema."""
    fake = FakeAppPlatform(TOKEN)
    with serve(fake) as url:
        yield fake, url
    assert fake.schema_errors == [], fake.schema_errors
