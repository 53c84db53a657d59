"""Keyboard focus: a visible focus ring, pane cycling (F6) and Esc back to the editor.

* :class:`FocusRing` draws a 2 px ring over the edge of the focused control of a window, in a colour with at
  least 3:1 contrast against both the window and the control's background (WCAG 2.4.7 / 1.4.11); the
  style's own 1 px dotted focus rectangle (tree rows, check boxes) is widened the same way by
  :class:`FocusStyle`.
* :class:`PaneNavigator` moves focus between the panes of a main window (editor, docks, toolbars) in a fixed
  order and back to where it was in each pane, as F6 / Shift+F6 do in editors and browsers.
* :class:`EscapeToEditor` sends an Esc that nothing inside a pane used to the editor.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

import shiboken6
from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QMenu,
    QMenuBar,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QWidget,
)

from studio.core.css.colors import RGBA
from studio.core.css.contrast import contrast_ratio

RING_WIDTH: Final = 2
MIN_CONTRAST: Final = 3.0
# Fallbacks when the palette's highlight is too faint against its neighbours (light / dark backgrounds).
_RING_ON_LIGHT: Final = QColor("#1a5fb4")
_RING_ON_DARK: Final = QColor("#99c1f1")
_GEOMETRY_EVENTS: Final = frozenset({QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show,
                                     QEvent.Type.Hide, QEvent.Type.ParentChange})


def _rgba(color: QColor) -> RGBA:
    return RGBA(color.redF(), color.greenF(), color.blueF(), 1.0)


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two opaque colours."""
    return contrast_ratio(_rgba(a), _rgba(b))


def ring_color(palette: QPalette) -> QColor:
    """The focus ring colour for ``palette``: its highlight when that stands out >= 3:1 against both the
    window and base colours, else a blue chosen for the background's lightness."""
    neighbours = (palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.Base))
    highlight = palette.color(QPalette.ColorRole.Highlight)
    if all(contrast(highlight, n) >= MIN_CONTRAST for n in neighbours):
        return highlight
    dark = neighbours[0].lightness() < 128
    return _RING_ON_DARK if dark else _RING_ON_LIGHT


class FocusStyle(QProxyStyle):
    """The application style with a 2 px solid focus rectangle (tree rows, check boxes, buttons)."""

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption, painter: QPainter,
                      widget: QWidget | None = None) -> None:
        if element != QStyle.PrimitiveElement.PE_FrameFocusRect:
            super().drawPrimitive(element, option, painter, widget)
            return
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        # On a selected row the ring colour may be the selection colour itself: use the selected text's.
        palette = option.palette
        color = palette.color(QPalette.ColorRole.HighlightedText) if selected else ring_color(palette)
        pen = QPen(color, RING_WIDTH)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        rect = option.rect.adjusted(1, 1, -1, -1)
        painter.drawRect(rect)
        painter.restore()


class FocusRing(QWidget):
    """A ring over the outer 2 px of the focused control of one window (transparent to the mouse)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("focusRing")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._target: QWidget | None = None
        self._watched: list[QWidget] = []
        self.hide()

    def target(self) -> QWidget | None:
        """The widget the ring surrounds, or None."""
        return self._target

    def follow(self, widget: QWidget | None) -> None:
        """Surround ``widget`` (None hides the ring)."""
        for watched in self._watched:
            if shiboken6.isValid(watched):
                watched.removeEventFilter(self)
                watched.destroyed.disconnect(self._forget)
        self._watched = []
        self._target = widget
        if widget is not None:
            ancestor: QWidget | None = widget
            while ancestor is not None and ancestor is not self.parentWidget():
                ancestor.installEventFilter(self)
                ancestor.destroyed.connect(self._forget)
                self._watched.append(ancestor)
                ancestor = ancestor.parentWidget()
        self.place()

    def _forget(self, *_: object) -> None:
        # A watched widget is going away: let go of all of them before any is touched again.
        self._watched = []
        self._target = None
        self.hide()

    def place(self) -> None:
        target, window = self._target, self.parentWidget()
        if target is None or window is None or not shiboken6.isValid(target) or not target.isVisible():
            self.hide()
            return
        visible = target.visibleRegion().boundingRect()  # only what is on screen (scroll areas clip)
        if visible.isEmpty():
            self.hide()
            return
        top_left = target.mapTo(window, visible.topLeft())
        self.setGeometry(QRect(top_left, visible.size()))
        self.raise_()
        self.show()
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _GEOMETRY_EVENTS:
            self.place()
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        pen = QPen(ring_color(self.palette()), RING_WIDTH)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        half = RING_WIDTH // 2
        painter.drawRect(self.rect().adjusted(half, half, -half, -half))
        painter.end()


def _ring_of(window: QWidget) -> FocusRing:
    ring = window.findChild(FocusRing, "focusRing", Qt.FindChildOption.FindDirectChildrenOnly)
    return ring if isinstance(ring, FocusRing) else FocusRing(window)


_shown: list[FocusRing] = []  # the ring on screen (focus is in one window at a time)


def _on_focus_changed(_old: QWidget | None, now: QWidget | None) -> None:
    # ``_old`` is not touched: it may be a widget in the middle of its destructor (it lost focus by dying).
    ring = None
    if now is not None and not isinstance(now, QMenu | QMenuBar) and not now.isWindow():
        ring = _ring_of(now.window())
    for previous in _shown:
        if previous is not ring and shiboken6.isValid(previous):
            previous.follow(None)
    _shown[:] = [ring] if ring is not None else []
    if ring is not None:
        ring.follow(now)


_installed: list[FocusStyle] = []  # keeps the style's Python side alive for the application's lifetime


def install_focus_indicators() -> None:
    """Draw visible focus on every window of the application (once per application)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication) or _installed:
        return
    style = FocusStyle(app.style().name())
    _installed.append(style)
    app.setStyle(style)
    app.focusChanged.connect(_on_focus_changed)
    focused = app.focusWidget()
    if focused is not None:
        _on_focus_changed(None, focused)


def chain_tab_order(widgets: Iterable[QWidget]) -> None:
    """Make Tab visit ``widgets`` in this order (the visual order; Qt's default is creation order)."""
    for before, after in itertools.pairwise(widgets):
        QWidget.setTabOrder(before, after)


# ----------------------------------------------------------------------------------------- panes
@dataclass
class Pane:
    """A region of a main window that F6 visits.

    Attributes:
        name: what the pane is ("Editor", "Tokens").
        container: returns the widget holding the pane (None while it does not exist).
        entry: returns the control that takes focus when the pane is entered the first time.
    """

    name: str
    container: Callable[[], QWidget | None]
    entry: Callable[[], QWidget | None]
    last: QWidget | None = field(default=None, repr=False)

    def present(self) -> QWidget | None:
        """The container when it is shown, else None."""
        widget = self.container()
        return widget if widget is not None and shiboken6.isValid(widget) and widget.isVisible() else None

    def contains(self, widget: QWidget) -> bool:
        container = self.present()
        return container is not None and (container is widget or container.isAncestorOf(widget))


class PaneNavigator(QObject):
    """Moves the keyboard focus between the panes of ``window`` (F6 / Shift+F6 and jump shortcuts)."""

    def __init__(self, window: QWidget, panes: Sequence[Pane]) -> None:
        super().__init__(window)
        self.window = window
        self.panes = list(panes)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._remember)

    def _remember(self, _old: QWidget | None, now: QWidget | None) -> None:
        if now is None or not shiboken6.isValid(self.window):
            return
        for pane in self.panes:
            if pane.contains(now):
                pane.last = now
                return

    def current(self) -> Pane | None:
        """The pane that holds the focus, if any."""
        focused = QApplication.focusWidget()
        if focused is None:
            return None
        return next((pane for pane in self.panes if pane.contains(focused)), None)

    def cycle(self, step: int) -> Pane | None:
        """Focus the next (``step`` 1) or previous (-1) shown pane, wrapping around; returns it."""
        shown = [pane for pane in self.panes if pane.present() is not None]
        if not shown:
            return None
        current = self.current()
        start = shown.index(current) if current in shown else (-1 if step > 0 else 0)
        target = shown[(start + step) % len(shown)]
        self.enter(target)
        return target

    def pane(self, name: str) -> Pane:
        return next(pane for pane in self.panes if pane.name == name)

    def enter(self, pane: Pane, *, resume: bool = True) -> bool:
        """Focus ``pane``: where the focus was when it left it (``resume``), else its entry control."""
        last = pane.last
        if resume and last is not None and shiboken6.isValid(last) and last.isVisible() and last.isEnabled() \
                and pane.contains(last):
            target: QWidget | None = last
        else:
            target = pane.entry()
        if target is None or not target.isVisible():
            return False
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        return True


class EscapeToEditor(QObject):
    """Event filter: an Esc that no control inside the watched widget used moves the focus to ``editor``."""

    def __init__(self, editor: QWidget, watched: Sequence[QWidget] = ()) -> None:
        super().__init__(editor)
        self._editor = editor
        for widget in watched:
            self.watch(widget)

    def watch(self, widget: QWidget) -> None:
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_Escape:
            self._editor.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return True
        return False
