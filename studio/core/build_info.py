"""What build of the studio this is: its version, and for the installed app the date it was built.

``packaging/studio/build`` writes ``_build_info.json`` beside the ``studio`` package inside the bundle; a
checkout or a venv install has none and says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from studio import __version__

BUILD_INFO = Path(__file__).resolve().parents[1] / "_build_info.json"


@dataclass(frozen=True)
class BuildInfo:
    version: str
    build_date: str | None  # ISO date of the bundle build; None outside an installed app
    bundled: bool

    def describe(self) -> str:
        if self.bundled:
            return f"version {self.version}, built {self.build_date or 'on an unknown date'}"
        return f"version {self.version} (run from source, not an installed build)"


def build_info(path: Path = BUILD_INFO) -> BuildInfo:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return BuildInfo(__version__, None, bundled=False)
    date = data.get("build_date") if isinstance(data, dict) else None
    return BuildInfo(__version__, str(date) if date else None, bundled=True)
