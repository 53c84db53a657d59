"""TokenPanel: tokens grouped by scope, resolution per scheme, swatches, editing, colour picking, contrast."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from studio.core.css.colors import parse_color
from studio.core.css.contrast import contrast_ratio
from studio.core.css.tokens import TokenDefinition, index_tokens, rewrite_token_value
from studio.core.paths import resources_dir
from studio.ui.token_panel import (
    BADGE_COLORS,
    BADGE_COLUMN,
    BG_COLUMN,
    FG_COLUMN,
    NAME_COLUMN,
    RATIO_COLUMN,
    RESOLVED_COLUMN,
    SWATCH_COLUMN,
    VALUE_COLUMN,
    TokenPanel,
    qcolor_to_css,
)

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

CSS = """\
:root {
  --color-bg: #ffffff;
  --color-text: var(--ink);
  --ink: #111111;
  --color-on-primary: #ffffff;
  --color-primary: #777777;
  --radius: 4px;
}
[data-theme="dark"] {
  --color-bg: #101010;
  --ink: #eeeeee;
}
body { color: var(--color-text); }
"""


def make_panel(qtbot: QtBot, css: str = CSS) -> TokenPanel:
    panel = TokenPanel()
    qtbot.addWidget(panel)
    panel.resize(460, 640)
    panel.show()
    qtbot.waitExposed(panel)
    with qtbot.waitSignal(panel.contrastUpdated, timeout=5000):
        panel.set_source(css)
    return panel


def item_of(panel: TokenPanel, name: str, scope: str = ":root"):  # type: ignore[no-untyped-def]
    item = panel.definition_item(name, scope)
    assert item is not None, f"{name} in {scope} not shown"
    return item


def swatch_pixel(panel: TokenPanel, name: str, scope: str = ":root") -> QColor:
    """The colour painted in the middle of the row's swatch cell, read back from the screen."""
    item = item_of(panel, name, scope)
    assert panel.swatch_color(item) is not None, f"{name} has no swatch"
    panel.tree.scrollToItem(item)
    rect = panel.tree.visualItemRect(item)
    x = panel.tree.header().sectionViewportPosition(SWATCH_COLUMN) + panel.tree.header().sectionSize(
        SWATCH_COLUMN) // 2
    image = panel.tree.viewport().grab().toImage()
    return image.pixelColor(QPoint(x, rect.center().y()))


def test_groups_by_scope_in_source_order(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    scopes = [panel.tree.topLevelItem(i).text(NAME_COLUMN) for i in range(panel.tree.topLevelItemCount())]
    assert scopes == [":root", '[data-theme="dark"]']
    root = panel.tree.topLevelItem(0)
    names = [root.child(i).text(NAME_COLUMN) for i in range(root.childCount())]
    assert names == ["--color-bg", "--color-text", "--ink", "--color-on-primary", "--color-primary",
                     "--radius"]
    assert panel.tree.topLevelItem(1).childCount() == 2


def test_resolution_follows_scheme_selector(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    text = item_of(panel, "--color-text")
    assert text.text(VALUE_COLUMN) == "var(--ink)"
    assert text.text(RESOLVED_COLUMN) == "#111111"
    with qtbot.waitSignal(panel.schemeChanged) as blocker:
        panel.scheme_box.setCurrentIndex(panel.scheme_box.findText("Dark"))
    assert blocker.args == ["dark"]
    assert item_of(panel, "--color-text").text(RESOLVED_COLUMN) == "#eeeeee"
    # The base --color-bg is overridden in dark: it shows its own value, muted.
    bg = item_of(panel, "--color-bg")
    text_color = item_of(panel, "--color-text").foreground(NAME_COLUMN).color()
    assert bg.foreground(NAME_COLUMN).color() != text_color
    panel.set_scheme("light")
    assert item_of(panel, "--color-text").text(RESOLVED_COLUMN) == "#111111"


def test_swatches_show_resolved_colours_only_for_colours(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    assert swatch_pixel(panel, "--ink") == QColor("#111111")
    assert swatch_pixel(panel, "--color-text") == QColor("#111111")  # through var()
    assert swatch_pixel(panel, "--color-bg", '[data-theme="dark"]') == QColor("#101010")
    assert panel.swatch_color(item_of(panel, "--radius")) is None


def test_inline_edit_emits_definition_and_value(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    item = item_of(panel, "--radius")
    # Names are not editable in place.
    panel.tree.setCurrentItem(item, NAME_COLUMN)
    qtbot.keyClick(panel.tree, Qt.Key.Key_F2)
    assert not panel.tree.viewport().findChildren(QLineEdit)

    panel.tree.setCurrentItem(item, VALUE_COLUMN)
    qtbot.keyClick(panel.tree, Qt.Key.Key_F2)
    editors = panel.tree.viewport().findChildren(QLineEdit)
    assert len(editors) == 1
    editor = editors[0]
    assert editor.text() == "4px"
    editor.selectAll()
    qtbot.keyClicks(editor, "8px")
    with qtbot.waitSignal(panel.valueEdited) as blocker:
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    definition, value = blocker.args
    assert isinstance(definition, TokenDefinition)
    assert (definition.name, definition.scope, definition.value) == ("--radius", ":root", "4px")
    assert value == "8px"
    # What the main window does with it:
    updated = rewrite_token_value(CSS, definition, value)
    assert "--radius: 8px;" in updated
    panel.set_source(updated)
    assert item_of(panel, "--radius").text(VALUE_COLUMN) == "8px"


def test_emptying_a_value_is_refused(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    item = item_of(panel, "--radius")
    with qtbot.assertNotEmitted(panel.valueEdited):
        item.setText(VALUE_COLUMN, "   ")
    assert item.text(VALUE_COLUMN) == "4px"


def test_swatch_opens_colour_dialog_and_emits_hex(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    item = item_of(panel, "--color-primary")
    rect = panel.tree.visualItemRect(item)
    x = panel.tree.header().sectionViewportPosition(SWATCH_COLUMN) + 10
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, rect.center().y()))
    dialog = panel.color_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.testOption(dialog.ColorDialogOption.DontUseNativeDialog)
    assert dialog.currentColor() == QColor("#777777")
    dialog.setCurrentColor(QColor("#123456"))
    with qtbot.waitSignal(panel.valueEdited) as blocker:
        dialog.accept()
    definition, value = blocker.args
    assert definition.name == "--color-primary"
    assert value == "#123456"


def test_translucent_colour_keeps_alpha() -> None:
    assert qcolor_to_css(QColor(255, 0, 0, 128)) == "#ff000080"
    assert qcolor_to_css(QColor(0, 128, 255)) == "#0080ff"


def test_same_text_is_a_no_op_and_value_edits_keep_items_and_selection(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    item = item_of(panel, "--ink")
    panel.tree.setCurrentItem(item)
    index_before = panel._index
    panel.set_source(CSS)
    assert panel._index is index_before  # unchanged text: nothing re-indexed

    panel.set_source(CSS.replace("--ink: #111111", "--ink: #222222"))
    assert item_of(panel, "--ink") is item  # same row objects: nothing rebuilt
    assert panel.tree.currentItem() is item
    assert item.text(VALUE_COLUMN) == "#222222"
    assert item_of(panel, "--color-text").text(RESOLVED_COLUMN) == "#222222"

    panel.set_source(CSS.replace("  --radius: 4px;\n", "  --gap: 1rem;\n  --radius: 4px;\n"))
    assert item_of(panel, "--gap") is not None
    current = panel.tree.currentItem()
    assert current is not None
    assert panel.definition_of(current).name == "--ink"  # selection survives a rebuild


def test_scroll_position_survives_rebuild(qtbot: QtBot) -> None:
    css = ":root {\n" + "".join(f"  --t{i}: {i}px;\n" for i in range(200)) + "}\n"
    panel = make_panel(qtbot, css)
    bar = panel.tree.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    value = bar.value()
    panel.set_source(css.replace("}\n", "  --extra: 1px;\n}\n"))
    assert bar.value() == value


def test_set_index_uses_prebuilt_index(qtbot: QtBot) -> None:
    panel = make_panel(qtbot, ":root { --a: 1px; }")
    index = index_tokens(CSS)
    panel.set_index(CSS, index)
    assert panel._index is index
    assert item_of(panel, "--radius").text(VALUE_COLUMN) == "4px"


def test_filter_hides_other_tokens(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    qtbot.keyClicks(panel.filter_edit, "ink")
    visible = [i.text(NAME_COLUMN) for i in panel._token_items if not i.isHidden()]
    assert visible == ["--color-text", "--ink", "--ink"]  # values match too: var(--ink)
    panel.filter_edit.clear()
    assert all(not i.isHidden() for i in panel._token_items)


def contrast_rows(panel: TokenPanel) -> dict[tuple[str, str], tuple[str, str]]:
    table = panel.contrast
    rows = {}
    for i in range(table.topLevelItemCount()):
        item = table.topLevelItem(i)
        key = (item.text(FG_COLUMN), item.text(BG_COLUMN))
        rows[key] = (item.text(RATIO_COLUMN), item.text(BADGE_COLUMN))
    return rows


def test_contrast_section_per_scheme(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    rows = contrast_rows(panel)
    assert rows[("--color-text", "--color-bg")] == ("18.88", "AAA")
    ratio, badge = rows[("--color-on-primary", "--color-primary")]
    assert (ratio, badge) == ("4.48", "AA Large")  # #777 on white is just below 4.5
    assert panel.contrast_title.text() == "Contrast · Base"

    with qtbot.waitSignal(panel.contrastUpdated, timeout=5000):
        panel.set_scheme("dark")
    assert panel.contrast_title.text() == "Contrast · Dark"
    ratio, badge = contrast_rows(panel)[("--color-text", "--color-bg")]
    assert badge == "AAA"
    expected = contrast_ratio(parse_color("#eeeeee"), parse_color("#101010"))  # type: ignore[arg-type]
    assert ratio == f"{expected:.2f}"


def test_badges_are_painted_as_coloured_pills(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    with qtbot.waitSignal(panel.contrastUpdated, timeout=5000):
        panel.set_source(CSS.replace("--color-primary: #777777", "--color-primary: #ffff00"))  # fails
    table = panel.contrast
    viewport_image = table.viewport().grab().toImage()

    def pill_color(fg: str, bg: str) -> QColor:
        for i in range(table.topLevelItemCount()):
            item = table.topLevelItem(i)
            if (item.text(FG_COLUMN), item.text(BG_COLUMN)) == (fg, bg):
                rect = table.visualItemRect(item)
                x = table.header().sectionPosition(BADGE_COLUMN) + 8
                return viewport_image.pixelColor(QPoint(x, rect.center().y()))
        raise AssertionError((fg, bg))

    _ratio, badge = contrast_rows(panel)[("--color-on-primary", "--color-primary")]
    assert badge == "Fail"
    assert pill_color("--color-on-primary", "--color-primary") == QColor(BADGE_COLORS["Fail"])
    assert pill_color("--color-text", "--color-bg") == QColor(BADGE_COLORS["AAA"])


def test_light_starter_loads_with_every_token(qtbot: QtBot) -> None:
    css = (resources_dir() / "themes" / "light" / "theme.css").read_text(encoding="utf-8")
    panel = make_panel(qtbot, css)
    assert len(panel._token_items) == len(index_tokens(css).definitions) > 50
    assert panel.contrast.topLevelItemCount() > 5


def test_unknown_scheme_is_rejected(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    with pytest.raises(ValueError, match="unknown scheme"):
        panel.set_scheme("sepia")


def test_light_dark_tokens_and_apca_advice_in_the_contrast_section(qtbot: QtBot) -> None:
    css = ":root { --color-bg: light-dark(#ffffff, #121212); --color-text: light-dark(#222222, #3a3a3a); }"
    panel = make_panel(qtbot, css)
    with qtbot.waitSignal(panel.contrastUpdated, timeout=5000):
        panel.set_scheme("light")
    light = contrast_rows(panel)[("--color-text", "--color-bg")]
    with qtbot.waitSignal(panel.contrastUpdated, timeout=5000):
        panel.set_scheme("dark")
    dark = contrast_rows(panel)[("--color-text", "--color-bg")]
    assert light[1] == "AAA"
    assert dark[1] == "Fail"  # light-dark() resolved per scheme: #3a3a3a on #121212
    item = panel.contrast.topLevelItem(0)
    assert item is not None
    assert "APCA Lc" in item.toolTip(RATIO_COLUMN)
    assert "APCA Lc" in item.data(RATIO_COLUMN, Qt.ItemDataRole.AccessibleTextRole)
