"""Theme → Import/Export Tokens… on the real window and the real QtWebEngine preview."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from studio.core.paths import resources_dir
from studio.core.starters import create_theme
from studio.core.theme import Theme
from studio.core.tokens.apply import plan_import
from studio.core.tokens.meta import load_meta
from studio.core.tokens.sources import open_token_files
from studio.ui.main_window import StudioWindow
from studio.ui.preview import PreviewView, folder_url
from studio.ui.token_actions import OBJECT_NAME, TokenActions

pytestmark = pytest.mark.qt_log_ignore("QRhiGles2", "Failed to create RHI", "GPUInfo not initialized")
DATA = Path(__file__).resolve().parents[1] / "data"
SHOTS = Path(os.environ.get("THEMESTUDIO_SCREENSHOTS", "/tmp/themestudio-shots"))
BRAND = {
    "color": {
        "$type": "color",
        "primary": {"$value": {"colorSpace": "srgb", "components": [0.2, 0.6, 0.4], "hex": "#339966"}},
        "brand": {"$value": {"colorSpace": "oklch", "components": [0.7, 0.15, 150]}},
    },
}
MODES = {
    "$schema": "https://www.designtokens.org/schemas/2025.10/resolver.json",
    "version": "2025.10",
    "sets": {"base": {"sources": [BRAND]}},
    "modifiers": {
        "theme": {
            "contexts": {
                "light": [],
                "dark": [
                    {
                        "color": {
                            "primary": {
                                "$type": "color",
                                "$value": {"colorSpace": "display-p3", "components": [0.9, 0.5, 0.1]},
                            }
                        }
                    }
                ],
            },
            "default": "light",
        }
    },
    "resolutionOrder": [{"$ref": "#/sets/base"}, {"$ref": "#/modifiers/theme"}],
}


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[StudioWindow]:
    theme = create_theme(tmp_path / "brand", "light", "Brand")
    win = StudioWindow()
    win.resize(1400, 900)
    win.show()
    assert win.open_theme(theme.root)
    qtbot.waitUntil(win.preview.is_loaded, timeout=15000)
    qtbot.waitUntil(lambda: win.preview.applied_generation > 0, timeout=10000)
    yield win
    win.editor.document().setModified(False)
    win._saved_text = win.editor.toPlainText()
    win.close()
    win.deleteLater()


def evaluate(qtbot: QtBot, view: PreviewView, expr: str) -> object:
    box: list[object] = []
    view.evaluate(expr, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=5000)
    return box[0]


def test_import_previews_then_applies_as_one_undo_step(
    qtbot: QtBot, window: StudioWindow, tmp_path: Path
) -> None:
    tokens = tmp_path / "brand.resolver.json"
    tokens.write_text(json.dumps(MODES))
    actions = window.findChild(TokenActions, OBJECT_NAME)
    assert actions is not None
    before = window.editor.toPlainText()
    dialog = actions.open_import()
    assert dialog is not None
    dialog.show()
    dialog.load([tokens])
    qtbot.waitUntil(lambda: dialog.plan is not None and dialog.apply_button.isEnabled(), timeout=10000)
    plan = dialog.plan
    assert plan is not None
    assert plan.summary() == {
        "base (light)": {"added": 1, "changed": 1, "removed": 0},
        "dark": {"added": 0, "changed": 1, "removed": 0},
    }
    assert dialog.changes.topLevelItemCount() == 2
    assert set(dialog.mode_combos) == {("theme", "base"), ("theme", "dark")}
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "tokens-import-dialog.png"))
    assert window.editor.toPlainText() == before  # nothing changes before Apply
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: "--color-primary: #339966;" in window.editor.toPlainText(), timeout=5000)
    probe = "getComputedStyle(document.getElementById('probe-primary')).backgroundColor"
    qtbot.waitUntil(lambda: evaluate(qtbot, window.preview, probe) == "rgb(51, 153, 102)", timeout=10000)
    window.preview.set_scheme("dark")
    qtbot.waitUntil(
        lambda: evaluate(qtbot, window.preview, probe) == "color(display-p3 0.9 0.5 0.1)", timeout=10000
    )
    window.preview.set_scheme(None)
    theme = window.theme
    assert isinstance(theme, Theme)
    assert load_meta(theme.root).tokens["--color-brand"]["path"] == ["color", "brand"]
    window.editor.undo()  # one step takes the whole import back
    assert window.editor.toPlainText() == before


def test_export_dialog_lists_skipped_and_writes_a_resolver(
    qtbot: QtBot, window: StudioWindow, tmp_path: Path
) -> None:
    actions = window.findChild(TokenActions, OBJECT_NAME)
    assert actions is not None
    dialog = actions.open_export()
    assert dialog is not None
    dialog.show()
    dialog.grab().save(str(SHOTS / "tokens-export-dialog.png"))
    assert dialog.skipped.count() == 0
    out = tmp_path / "out.resolver.json"
    dialog.export_to(out)
    doc = json.loads(out.read_text())
    assert doc["version"] == "2025.10"
    assert set(doc["modifiers"]["theme"]["contexts"]) == {"light", "dark"}
    dark = doc["modifiers"]["theme"]["contexts"]["dark"][0]
    assert dark["color"]["primary"]["$root"]["$value"]["hex"] == "#7aa2ff"  # --color-primary-hover: a group


@pytest.mark.parametrize("sheet", ["light", "dark", "high-contrast", "bootstrap"])
def test_imported_values_render_in_the_real_preview(qtbot: QtBot, sheet: str) -> None:
    css_path = (
        DATA / "corpus" / "bootstrap.css"
        if sheet == "bootstrap"
        else resources_dir() / "themes" / sheet / "theme.css"
    )
    plan = plan_import(
        css_path.read_text(encoding="utf-8"), open_token_files([DATA / "tokens" / "every-type.tokens.json"])
    )
    assert plan.errors == []
    view = PreviewView(base_url=folder_url(css_path.parent))
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    qtbot.waitUntil(view.is_loaded, timeout=15000)
    with qtbot.waitSignal(view.applied, timeout=10000):
        view.apply_css(plan.new_text)
    probe = (
        "(() => { const d = document.createElement('div'); document.body.appendChild(d);"
        " d.style.cssText = 'color: var(--color-lab); box-shadow: var(--shadow-inner);"
        " font-weight: var(--type-styles-heading-level-1-font-weight); border: var(--border-heavy);"
        " transition: var(--motion-enter); background-image: var(--gradient-blue-to-red)';"
        " const s = getComputedStyle(d); const out = JSON.stringify([s.color, s.boxShadow, s.fontWeight,"
        " s.borderTopWidth, s.getPropertyValue('--motion-enter').trim(), s.backgroundImage]);"
        " d.remove(); return out; })()"
    )
    color, shadow, weight, border, duration, gradient = json.loads(str(evaluate(qtbot, view, probe)))
    assert color.startswith("lab(52.2 40.1 59.9")
    assert shadow == "color(srgb 0 0 0 / 0.5) 2px 2px 4px 0px inset"
    assert weight == "700"
    assert border == "3px"
    assert (
        duration == "100ms cubic-bezier(0.5, 0, 1, 1) 0ms"
    )  # var()s substituted (the gallery stills transitions)
    assert gradient == "linear-gradient(90deg, rgb(0, 0, 255) 0%, rgb(255, 0, 0) 100%)"
