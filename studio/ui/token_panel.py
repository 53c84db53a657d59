"""The Tokens panel: every custom property by scope, its resolved value and colour, and WCAG contrast checks.

The panel never edits text itself: it emits ``valueEdited`` and the main window rewrites the editor text,
whose next analysis comes back through :meth:`TokenPanel.set_index`.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QIcon, QKeySequence, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.css.color_words import describe_color
from studio.core.css.colors import RGBA, parse_color
from studio.core.css.contrast import ContrastCheck, contrast_pairs
from studio.core.css.tokens import TokenDefinition, TokenIndex, index_tokens
from studio.ui.accessibility import link_label, set_name
from studio.ui.background import run_in_background
from studio.ui.qt_helpers import child_items

NAME_COLUMN, SWATCH_COLUMN, VALUE_COLUMN, RESOLVED_COLUMN = range(4)
FG_COLUMN, BG_COLUMN, RATIO_COLUMN, BADGE_COLUMN = range(4)

SCHEMES: tuple[tuple[str, str | None], ...] = (("Base", None), ("Light", "light"), ("Dark", "dark"))

# Pill colours: greens for passing levels, amber for large-text-only, red for failing.
BADGE_COLORS: dict[str, str] = {
    "AAA": "#1b7f3b",
    "AA": "#2f9e44",
    "AA Large": "#b7791f",
    "Fail": "#c92a2a",
}

_DEFINITION_ROLE = Qt.ItemDataRole.UserRole + 1
_SWATCH_ROLE = Qt.ItemDataRole.UserRole + 2  # "#aarrggbb" of the row's colour, or None
_STATE_ROLE = Qt.ItemDataRole.UserRole + 3  # what the row shows, to skip rows that did not change
_COLOR_CACHE_LIMIT = 20_000
_SWATCH_SIZE = 16


def rgba_to_qcolor(color: RGBA) -> QColor:
    """The core colour as a QColor (both use 0..1 floats per channel)."""
    return QColor.fromRgbF(color.r, color.g, color.b, color.a)


def qcolor_to_css(color: QColor) -> str:
    """A CSS hex colour for what the user picked: ``#rrggbb``, or ``#rrggbbaa`` when translucent."""
    return RGBA(color.redF(), color.greenF(), color.blueF(), color.alphaF()).to_hex()


def swatch_icon(color: QColor, size: int = _SWATCH_SIZE) -> QIcon:
    """A square swatch; translucent colours are drawn over a checkerboard so their alpha shows."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.white)
    painter = QPainter(pixmap)
    if color.alpha() < 255:
        half = size // 2
        painter.fillRect(0, 0, half, half, QColor("#c8c8c8"))
        painter.fillRect(half, half, size - half, size - half, QColor("#c8c8c8"))
    painter.fillRect(0, 0, size, size, color)
    painter.setPen(QColor(0, 0, 0, 90))
    painter.drawRect(0, 0, size - 1, size - 1)
    painter.end()
    return QIcon(pixmap)


class _ReadOnlyDelegate(QStyledItemDelegate):
    """Keeps a column of an editable row read-only (only token values are edited in place)."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        return None  # type: ignore[return-value]  # no editor is how Qt keeps a cell read-only


class BadgeDelegate(QStyledItemDelegate):
    """Paints a contrast badge ("AAA", "AA", "AA Large", "Fail") as a coloured pill."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        badge = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        # Draw the selection/background the normal way, without the text.
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        if not badge:
            return
        font = QFont(option.font)
        font.setBold(True)
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        width = metrics.horizontalAdvance(badge) + 14
        height = metrics.height() + 4
        rect = QRect(option.rect.left() + 4, option.rect.center().y() - height // 2 + 1, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(BADGE_COLORS.get(badge, "#666666")))
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(QColor("white"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, badge)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(max(hint.width(), option.fontMetrics.horizontalAdvance("AA Large") + 26), hint.height())


class TokenPanel(QWidget):
    """Shows the custom properties of the current stylesheet and lets the user edit their values.

    Signals:
        valueEdited(TokenDefinition, str): the user typed a new value or picked a colour for this
            definition; the receiver rewrites the stylesheet text (``rewrite_token_value``).
        schemeChanged(object): the resolution scheme changed (``None`` for base, ``"light"``, ``"dark"``).
        contrastUpdated(): the contrast section shows the checks of the current index and scheme (they are
            computed in the background: thousands of tokens take a noticeable moment).
    """

    valueEdited = Signal(object, str)  # noqa: N815 (Qt signal names are camelCase)
    schemeChanged = Signal(object)  # noqa: N815
    contrastUpdated = Signal()  # noqa: N815

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tokenPanel")
        self._text: str | None = None
        self._index: TokenIndex | None = None
        self._structure: list[tuple[str, str, str | None]] = []
        self._token_items: list[QTreeWidgetItem] = []
        self._scope_items: dict[str, QTreeWidgetItem] = {}
        self._collapsed_scopes: set[str] = set()
        self._updating = False
        self._contrast_generation = 0
        self._color_cache: dict[str, RGBA | None] = {}
        self._icon_cache: dict[str, QIcon] = {}
        self.color_dialog: QColorDialog | None = None

        self.scheme_box = QComboBox(self)
        self.scheme_box.setObjectName("tokenScheme")
        for label, scheme in SCHEMES:
            self.scheme_box.addItem(label, scheme)
        self.scheme_box.setToolTip("Which colour scheme var() references resolve in")
        self.scheme_box.currentIndexChanged.connect(self._on_scheme_changed)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("tokenFilter")
        self.filter_edit.setPlaceholderText("Filter tokens…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._apply_filter)
        set_name(self.filter_edit, "Filter tokens", "Shows only tokens whose name or value contains the text")
        top = QHBoxLayout()
        top.setContentsMargins(6, 4, 6, 4)
        top.addWidget(self.filter_edit, 1)
        scheme_label = link_label(QLabel("Sche&me:"), self.scheme_box)
        set_name(self.scheme_box, "Tokens scheme", "Which colour scheme var() references resolve in")
        top.addWidget(scheme_label)
        top.addWidget(self.scheme_box)

        self.tree = QTreeWidget(self)
        self.tree.setObjectName("tokenTree")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["Token", "", "Value", "Resolved"])
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self._read_only = _ReadOnlyDelegate(self.tree)
        for column in (NAME_COLUMN, SWATCH_COLUMN, RESOLVED_COLUMN):
            self.tree.setItemDelegateForColumn(column, self._read_only)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(SWATCH_COLUMN, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(SWATCH_COLUMN, _SWATCH_SIZE + 14)
        header.resizeSection(NAME_COLUMN, 170)
        header.resizeSection(VALUE_COLUMN, 110)
        self.tree.setIndentation(14)
        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.itemClicked.connect(self._on_item_clicked)
        self.tree.itemActivated.connect(self._on_item_clicked)
        set_name(self.tree, "Tokens", "F2 or Enter edits the value of the selected token; Space picks "
                                      "its colour; the context menu (Menu key) lists both")
        # Row actions by keyboard: shortcuts apply while the tree (not a cell editor) has the focus.
        edit_keys = ("F2", "Return", "Enter")
        self.edit_action = self._tree_action("&Edit Value", edit_keys, self.edit_current_value)
        self.pick_action = self._tree_action("&Pick Colour…", ("Space",), self.pick_current_color)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.tree.itemExpanded.connect(self._on_expanded)
        self.tree.itemCollapsed.connect(self._on_collapsed)

        self.contrast_title = QLabel("Contrast")
        bold = QFont(self.contrast_title.font())
        bold.setBold(True)
        self.contrast_title.setFont(bold)
        self.contrast = QTreeWidget(self)
        self.contrast.setObjectName("contrastTable")
        self.contrast.setRootIsDecorated(False)
        self.contrast.setUniformRowHeights(True)
        self.contrast.setAlternatingRowColors(True)
        self.contrast.setColumnCount(4)
        self.contrast.setHeaderLabels(["Text", "Background", "Ratio", "WCAG"])
        self.contrast.setItemDelegateForColumn(BADGE_COLUMN, BadgeDelegate(self.contrast))
        self.contrast.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.contrast.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.contrast.setIndentation(0)
        set_name(self.contrast, "Contrast checks", "Text and background token pairs with their WCAG grade")
        cheader = self.contrast.header()
        cheader.setStretchLastSection(False)
        cheader.setSectionResizeMode(FG_COLUMN, QHeaderView.ResizeMode.Stretch)
        cheader.setSectionResizeMode(BG_COLUMN, QHeaderView.ResizeMode.Stretch)
        cheader.setSectionResizeMode(RATIO_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        cheader.resizeSection(BADGE_COLUMN, self.fontMetrics().horizontalAdvance("AA Large") + 30)
        contrast_box = QWidget(self)
        contrast_layout = QVBoxLayout(contrast_box)
        contrast_layout.setContentsMargins(0, 4, 0, 0)
        contrast_layout.setSpacing(2)
        title_row = QHBoxLayout()
        title_row.setContentsMargins(6, 0, 6, 0)
        title_row.addWidget(self.contrast_title)
        contrast_layout.addLayout(title_row)
        contrast_layout.addWidget(self.contrast)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(contrast_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.splitter)

    def _tree_action(self, text: str, keys: tuple[str, ...], slot: Callable[[], object]) -> QAction:
        action = QAction(text, self.tree)
        action.setShortcuts([QKeySequence(key) for key in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)
        self.tree.addAction(action)
        return action

    def controls(self) -> list[QWidget]:
        """The panel's controls in reading order (for the window's Tab order)."""
        return [self.filter_edit, self.scheme_box, self.tree, self.contrast]

    def edit_current_value(self) -> bool:
        """Open the value editor of the selected token row (F2 / Enter); False on a scope row."""
        item = self.tree.currentItem()
        if item is None or item.parent() is None:
            return False
        self.tree.editItem(item, VALUE_COLUMN)
        return True

    def pick_current_color(self) -> bool:
        """Open the colour picker for the selected token row (Space); False when it is not a colour."""
        item = self.tree.currentItem()
        if item is None or item.parent() is None or self.swatch_color(item) is None:
            return False
        self._pick_color(item)
        return True

    # ----------------------------------------------------------------- public API
    def set_source(self, text: str) -> None:
        """Index ``text`` and show its tokens; does nothing when the text is unchanged.

        Indexing runs on the calling thread: the main window passes ready indexes through :meth:`set_index`.
        """
        if text == self._text:
            return
        self.set_index(text, index_tokens(text))

    def set_index(self, text: str, index: TokenIndex) -> None:
        """Show an index already built from ``text`` (e.g. by the background analysis)."""
        if text == self._text and index is self._index:
            return
        self._text = text
        self._index = index
        structure = [(d.scope, d.name, d.scheme) for d in index.definitions]
        if structure == self._structure:
            self._refresh_values()  # same tokens, new values: keep items, selection and scroll as they are
        else:
            self._rebuild(structure)
        self._refresh_contrast()

    def scheme(self) -> str | None:
        """The scheme var() references resolve in: ``None`` (base), ``"light"`` or ``"dark"``."""
        value = self.scheme_box.currentData()
        return None if value is None else str(value)

    def set_scheme(self, scheme: str | None) -> None:
        """Resolve in ``scheme`` (``None``, ``"light"`` or ``"dark"``), e.g. to follow the preview."""
        for i, (_label, value) in enumerate(SCHEMES):
            if value == scheme:
                self.scheme_box.setCurrentIndex(i)
                return
        raise ValueError(f"unknown scheme {scheme!r} (expected None, 'light' or 'dark')")

    def definition_item(self, name: str, scope: str | None = None) -> QTreeWidgetItem | None:
        """The row of the first definition of ``name`` (in ``scope`` if given); for tests and navigation."""
        for item in self._token_items:
            d = self.definition_of(item)
            if d.name == name and (scope is None or d.scope == scope):
                return item
        return None

    def definition_of(self, item: QTreeWidgetItem) -> TokenDefinition:
        """The definition a token row shows."""
        definition: TokenDefinition = item.data(NAME_COLUMN, _DEFINITION_ROLE)
        return definition

    def swatch_color(self, item: QTreeWidgetItem) -> QColor | None:
        """The colour a token row's swatch shows, or None when its value is not a colour."""
        argb = item.data(SWATCH_COLUMN, _SWATCH_ROLE)
        return None if argb is None else QColor(str(argb))

    # ----------------------------------------------------------------- building rows
    def _rebuild(self, structure: list[tuple[str, str, str | None]]) -> None:
        assert self._index is not None
        selected = self._selected_key()
        scroll = self.tree.verticalScrollBar().value()
        self._updating = True
        self.tree.setUpdatesEnabled(False)
        resolved_cache: dict[tuple[str, str | None], str | None] = {}
        try:
            self.tree.clear()
            self._token_items = []
            self._scope_items = {}
            children: dict[str, list[QTreeWidgetItem]] = {}
            # Items are filled while detached and inserted in one call per scope: inserting rows one by
            # one makes the view process thousands of insert notifications.
            for definition in self._index.definitions:
                if definition.scope not in self._scope_items:
                    self._scope_items[definition.scope] = self._make_scope_item(definition.scope,
                                                                                definition.scheme)
                    children[definition.scope] = []
                item = QTreeWidgetItem()
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                item.setSizeHint(SWATCH_COLUMN, QSize(_SWATCH_SIZE + 8, _SWATCH_SIZE + 4))
                self._token_items.append(item)
                self._fill_item(item, definition, resolved_cache)
                children[definition.scope].append(item)
            for scope, scope_item in self._scope_items.items():
                scope_item.addChildren(children[scope])
            self.tree.addTopLevelItems(list(self._scope_items.values()))
            for scope_item in self._scope_items.values():
                scope_item.setFirstColumnSpanned(True)
            for scope, item in self._scope_items.items():
                item.setExpanded(scope not in self._collapsed_scopes)
            self._fit_name_column()
            self._structure = structure
            self._apply_filter(self.filter_edit.text())
        finally:
            self.tree.setUpdatesEnabled(True)
            self._updating = False
        if selected is not None:
            current = self._find_key(selected)
            if current is not None:
                self.tree.setCurrentItem(current)
        self.tree.verticalScrollBar().setValue(scroll)

    def _fit_name_column(self) -> None:
        """Show whole token names (they are the point of the panel), within reason."""
        assert self._index is not None
        metrics = self.tree.fontMetrics()
        widest = max((metrics.horizontalAdvance(name) for name in self._index.names()), default=80)
        self.tree.header().resizeSection(NAME_COLUMN, min(widest + 2 * self.tree.indentation() + 30, 260))

    def _make_scope_item(self, scope: str, scheme: str | None) -> QTreeWidgetItem:
        item = QTreeWidgetItem()
        item.setText(NAME_COLUMN, scope)
        item.setToolTip(NAME_COLUMN, scope if scheme is None else f"{scope}  ({scheme} scheme)")
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        # Rows are uniform and take the first row's height, so the scope row makes room for swatches.
        item.setSizeHint(NAME_COLUMN, QSize(0, _SWATCH_SIZE + 4))
        font = QFont(self.tree.font())
        font.setBold(True)
        item.setFont(NAME_COLUMN, font)
        return item

    def _refresh_values(self) -> None:
        assert self._index is not None
        self._updating = True
        resolved_cache: dict[tuple[str, str | None], str | None] = {}
        try:
            for item, definition in zip(self._token_items, self._index.definitions, strict=True):
                self._fill_item(item, definition, resolved_cache)
        finally:
            self._updating = False

    def _color_of(self, value: str | None) -> RGBA | None:
        """``parse_color`` with a cache: most tokens keep their values from one keystroke to the next."""
        if value is None:
            return None
        if value not in self._color_cache:
            if len(self._color_cache) > _COLOR_CACHE_LIMIT:
                self._color_cache.clear()
            self._color_cache[value] = parse_color(value)
        return self._color_cache[value]

    def _fill_item(self, item: QTreeWidgetItem, definition: TokenDefinition,
                   resolved_cache: dict[tuple[str, str | None], str | None]) -> None:
        assert self._index is not None
        scheme, active = self._row_scheme(definition)
        if definition.conditional:
            # Applies only under another condition (print, a named theme): the index never resolves it,
            # so show its own value when that needs no substitution.
            resolved = definition.value if "var(" not in definition.value.lower() else None
        else:
            key = (definition.name, scheme)
            if key not in resolved_cache:
                resolved_cache[key] = self._index.resolve(definition.name, scheme)
            resolved = resolved_cache[key]
        state = (definition, resolved, active)
        if item.data(NAME_COLUMN, _STATE_ROLE) == state:
            return  # nothing this row shows has changed
        item.setData(NAME_COLUMN, _STATE_ROLE, state)
        item.setData(NAME_COLUMN, _DEFINITION_ROLE, definition)
        own_color = self._color_of(resolved)
        item.setText(NAME_COLUMN, definition.name)
        item.setToolTip(NAME_COLUMN, f"{definition.name}\nline {definition.line}, column {definition.column}")
        item.setText(VALUE_COLUMN, definition.value)
        item.setToolTip(VALUE_COLUMN, f"{definition.value}\nDouble-click (or F2) to edit")
        shown = resolved if resolved is not None else "(unresolved)"
        # Repeating a literal value adds only noise: the column speaks when var() substitution happened.
        item.setText(RESOLVED_COLUMN, "" if shown == definition.value else shown)
        item.setToolTip(RESOLVED_COLUMN, f"Resolves to {shown}")
        muted = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        normal = self.palette().color(QPalette.ColorRole.Text)
        for column in (NAME_COLUMN, VALUE_COLUMN):
            item.setForeground(column, QBrush(normal if active else muted))
        item.setForeground(RESOLVED_COLUMN, QBrush(muted if not active or resolved is None else normal))
        self._set_swatch(item, None if own_color is None else rgba_to_qcolor(own_color))

    def _row_scheme(self, definition: TokenDefinition) -> tuple[str | None, bool]:
        """The scheme a row resolves in, and whether the definition applies in the selected scheme.

        A scheme-specific definition always resolves in its own scheme. A base definition resolves in the
        selected scheme unless that scheme overrides the token, in which case it shows its own (base) value.
        Conditional definitions (``@media print``, a named theme) never apply to a plain scheme.
        """
        assert self._index is not None
        selected = self.scheme()
        if definition.conditional:
            return definition.scheme, False
        if definition.scheme is not None:
            return definition.scheme, definition.scheme == selected
        if selected is not None and self._index.get(definition.name, selected) != definition:
            return None, False
        return selected, True

    def _set_swatch(self, item: QTreeWidgetItem, color: QColor | None) -> None:
        """Show the colour as a clickable swatch cell (painted, not a widget: thousands of rows stay fast)."""
        argb = None if color is None else color.name(QColor.NameFormat.HexArgb)
        if item.data(SWATCH_COLUMN, _SWATCH_ROLE) == argb:
            return
        item.setData(SWATCH_COLUMN, _SWATCH_ROLE, argb)
        if color is None or argb is None:
            item.setIcon(SWATCH_COLUMN, QIcon())
            item.setToolTip(SWATCH_COLUMN, "")
            item.setData(SWATCH_COLUMN, Qt.ItemDataRole.AccessibleTextRole, "no colour")
            return
        item.setIcon(SWATCH_COLUMN, self._swatch_icon(argb, color))
        hex_rgb = color.name(QColor.NameFormat.HexRgb)
        item.setToolTip(SWATCH_COLUMN, f"{hex_rgb} — click (or Space) to pick a colour")
        item.setData(SWATCH_COLUMN, Qt.ItemDataRole.AccessibleTextRole, color_in_words(color))

    def _swatch_icon(self, argb: str, color: QColor, size: int = _SWATCH_SIZE) -> QIcon:
        key = f"{argb}/{size}"
        icon = self._icon_cache.get(key)
        if icon is None:
            if len(self._icon_cache) > _COLOR_CACHE_LIMIT:
                self._icon_cache.clear()
            icon = self._icon_cache[key] = swatch_icon(color, size)
        return icon

    # ----------------------------------------------------------------- contrast
    def _refresh_contrast(self) -> None:
        """Recompute the contrast checks off the GUI thread; only the newest request is shown."""
        if self._index is None:
            return
        self._contrast_generation += 1
        generation, index, scheme = self._contrast_generation, self._index, self.scheme()

        def work() -> list[tuple[ContrastCheck, RGBA | None, RGBA | None]]:
            return [
                (check, index.resolved_color(check.foreground, scheme),
                 index.resolved_color(check.background, scheme))
                for check in contrast_pairs(index, scheme)
            ]

        def done(rows: list[tuple[ContrastCheck, RGBA | None, RGBA | None]]) -> None:
            if shiboken6.isValid(self) and generation == self._contrast_generation:
                self._show_contrast(scheme, rows)

        def failed(exc: Exception) -> None:
            if shiboken6.isValid(self) and generation == self._contrast_generation:
                self.contrast_title.setText(f"Contrast could not be computed: {exc}")
                self.contrastUpdated.emit()

        run_in_background(work, done, failed, owner=self)

    def _show_contrast(self, scheme: str | None,
                       rows: list[tuple[ContrastCheck, RGBA | None, RGBA | None]]) -> None:
        label = {value: text for text, value in SCHEMES}[scheme]
        self.contrast_title.setText(f"Contrast · {label}" + ("" if rows else " — no text/background pairs"))
        self.contrast.clear()
        self.contrast.addTopLevelItems([self._contrast_item(*row) for row in rows])
        self.contrastUpdated.emit()

    def _contrast_item(self, check: ContrastCheck, fg: RGBA | None, bg: RGBA | None) -> QTreeWidgetItem:
        item = QTreeWidgetItem()
        for column, name, color in ((FG_COLUMN, check.foreground, fg), (BG_COLUMN, check.background, bg)):
            item.setText(column, name)
            item.setToolTip(column, name)
            if color is not None:
                qcolor = rgba_to_qcolor(color)
                item.setIcon(column, self._swatch_icon(qcolor.name(QColor.NameFormat.HexArgb), qcolor, 12))
            spoken = name if color is None else f"{name}, {color_in_words(rgba_to_qcolor(color))}"
            item.setData(column, Qt.ItemDataRole.AccessibleTextRole, spoken)
        item.setText(RATIO_COLUMN, f"{check.ratio:.2f}")
        apca = f"APCA Lc {check.apca:.0f} (advice: |Lc| 75 for body text, 60 for large text)"
        item.setToolTip(RATIO_COLUMN, f"WCAG 2: {check.ratio:.2f}:1 · {apca}")
        item.setData(
            RATIO_COLUMN, Qt.ItemDataRole.AccessibleTextRole, f"contrast {check.ratio:.2f} to 1, {apca}"
        )
        item.setTextAlignment(RATIO_COLUMN, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setText(BADGE_COLUMN, check.badge)
        item.setToolTip(BADGE_COLUMN, _badge_tip(check.badge))
        tip = _badge_tip(check.badge)
        spoken_badge = f"{check.badge}: {tip[:1].lower()}{tip[1:]}"
        item.setData(BADGE_COLUMN, Qt.ItemDataRole.AccessibleTextRole, spoken_badge)
        return item

    # ----------------------------------------------------------------- user actions
    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._updating or column != VALUE_COLUMN or item.parent() is None:
            return
        definition = self.definition_of(item)
        new_value = item.text(VALUE_COLUMN).strip()
        if not new_value or new_value == definition.value:
            self._updating = True
            item.setText(VALUE_COLUMN, definition.value)  # an empty value would break the stylesheet
            self._updating = False
            return
        self.valueEdited.emit(definition, new_value)

    def _pick_color(self, item: QTreeWidgetItem) -> None:
        definition = self.definition_of(item)
        current = self.swatch_color(item)
        dialog = QColorDialog(self)
        dialog.setOption(QColorDialog.ColorDialogOption.DontUseNativeDialog, True)
        dialog.setOption(QColorDialog.ColorDialogOption.ShowAlphaChannel, True)
        dialog.setWindowTitle(f"Colour of {definition.name}")
        if current is not None and current.isValid():
            dialog.setCurrentColor(current)
        dialog.colorSelected.connect(lambda color: self._on_color_picked(definition, color))
        dialog.finished.connect(dialog.deleteLater)
        self.color_dialog = dialog
        dialog.open()  # window-modal, non-blocking: the panel keeps updating underneath

    def _on_item_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        if column == SWATCH_COLUMN and item.parent() is not None and self.swatch_color(item) is not None:
            self._pick_color(item)

    def _on_color_picked(self, definition: TokenDefinition, color: QColor) -> None:
        self.color_dialog = None
        if color.isValid():
            self.valueEdited.emit(definition, qcolor_to_css(color))

    def _on_scheme_changed(self, _index: int) -> None:
        if self._index is not None:
            self._refresh_values()
            self._refresh_contrast()
        self.schemeChanged.emit(self.scheme())

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for scope_item in self._scope_items.values():
            visible = 0
            for child in child_items(scope_item):
                hide = bool(needle) and needle not in child.text(NAME_COLUMN).casefold() \
                    and needle not in child.text(VALUE_COLUMN).casefold()
                child.setHidden(hide)
                visible += not hide
            scope_item.setHidden(visible == 0)

    def _on_expanded(self, item: QTreeWidgetItem) -> None:
        if not self._updating and item.parent() is None:
            self._collapsed_scopes.discard(item.text(NAME_COLUMN))

    def _on_collapsed(self, item: QTreeWidgetItem) -> None:
        if not self._updating and item.parent() is None:
            self._collapsed_scopes.add(item.text(NAME_COLUMN))

    # ----------------------------------------------------------------- selection keeping
    def _selected_key(self) -> tuple[str, str, int] | None:
        item = self.tree.currentItem()
        if item is None or item.parent() is None:
            return None
        d = self.definition_of(item)
        before = (self.definition_of(other) for other in self._token_items[: self._token_items.index(item)])
        ordinal = sum(1 for other in before if other.name == d.name and other.scope == d.scope)
        return (d.scope, d.name, ordinal)

    def _find_key(self, key: tuple[str, str, int]) -> QTreeWidgetItem | None:
        scope, name, ordinal = key
        seen = 0
        for item in self._token_items:
            d = self.definition_of(item)
            if d.scope == scope and d.name == name:
                if seen == ordinal:
                    return item
                seen += 1
        return None


def color_in_words(color: QColor) -> str:
    """What a screen reader says for a swatch: the colour in words, then its hex ("dark blue, #0b1f4d")."""
    words = describe_color(RGBA(color.redF(), color.greenF(), color.blueF(), color.alphaF()))
    hex_name = color.name(QColor.NameFormat.HexArgb if color.alpha() < 255 else QColor.NameFormat.HexRgb)
    return f"{words}, {hex_name}"


def _badge_tip(badge: str) -> str:
    return {
        "AAA": "Passes WCAG AAA for normal text (7:1)",
        "AA": "Passes WCAG AA for normal text (4.5:1)",
        "AA Large": "Passes WCAG AA for large text only (3:1)",
        "Fail": "Fails WCAG AA even for large text",
    }.get(badge, badge)
