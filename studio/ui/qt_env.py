"""Process-wide Qt setup that must happen before the first QApplication exists."""

from __future__ import annotations

import os


def prepare_qt_environment() -> None:
    """Set QtWebEngine flags and import it early (Qt requires that before QApplication is created).

    As root Chromium refuses to start with its sandbox, and without a GPU it logs noise at every start;
    ``--disable-background-networking`` keeps the preview from touching the network at all.
    """
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    # --disable-partial-raster: a tile is re-rastered whole, so a rounded corner's anti-aliasing no longer
    # depends on which part of the tile changed before (renders of one stylesheet stay pixel-identical).
    for flag in ("--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-gpu", "--disable-partial-raster"):
        if flag not in flags:
            flags = f"{flags} {flag}".strip()
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = flags
    os.environ.setdefault("QT_LOGGING_RULES", "qt.webenginecontext.debug=false")
    import PySide6.QtWebEngineWidgets  # noqa: F401  (must precede QApplication)
