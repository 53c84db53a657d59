"""Where bundled resources and per-user data live."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "ThemeSystemStudio"


def resources_dir() -> Path:
    """The ``resources/`` folder: beside the package in a checkout, else under ``sys.prefix/share``."""
    here = Path(__file__).resolve().parents[2] / "resources"
    if here.is_dir():
        return here
    return Path(sys.prefix) / "share" / "themesystem-studio" / "resources"


def user_data_dir() -> Path:
    """Per-user data (default theme folder, embedded servers); ``THEMESTUDIO_DATA_DIR`` overrides it."""
    return Path(os.environ.get("THEMESTUDIO_DATA_DIR") or platformdirs.user_data_dir(APP_NAME))


def user_config_dir() -> Path:
    """Per-user settings (recent themes, profiles); ``THEMESTUDIO_CONFIG_DIR`` overrides it."""
    return Path(os.environ.get("THEMESTUDIO_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME))
