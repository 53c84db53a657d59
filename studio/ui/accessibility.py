"""Screen-reader support shared by every window and dialog: names, linked labels, announcements, audits.

Qt exposes widgets to assistive technology (AT-SPI on Linux) through ``QAccessibleInterface``. A control is
understood when it has a *name* (what it is), a *role* and a *value*; labels linked with ``setBuddy`` name
their field and give it an Alt+letter mnemonic. Messages that appear in labels (errors, results) are spoken
only when announced: :func:`announce` sends a ``QAccessibleAnnouncementEvent`` (Qt >= 6.8).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QAccessibleInterface
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QMenu, QWidget

_AMPERSAND: Final = re.compile(r"&(.)")  # "&&" is a literal "&", "&x" makes x the mnemonic
#: The latest announcements (message, assertive), newest last: what screen readers were told, for the
#: status history and for tests.
ANNOUNCED: Final[deque[tuple[str, bool]]] = deque(maxlen=50)


def strip_mnemonic(text: str) -> str:
    """Label text as spoken: without the ``&`` of the mnemonic (``&&`` stays one ``&``), trailing colon."""
    return _AMPERSAND.sub(r"\1", text).strip().rstrip(":").strip()


def mnemonic_of(text: str) -> str | None:
    """The Alt+letter of a label or menu text (lower case), or None."""
    return next((m.group(1).lower() for m in _AMPERSAND.finditer(text) if m.group(1) != "&"), None)


def set_name(widget: QWidget, name: str, description: str | None = None) -> None:
    """Give ``widget`` an accessible name (and description) that says what it is."""
    widget.setAccessibleName(name)
    if description is not None:
        widget.setAccessibleDescription(description)


def link_label(label: QLabel, field: QWidget, description: str | None = None) -> QLabel:
    """Make ``label`` the visible name of ``field``: buddy (Alt+letter, AT-SPI labelled-by) and name."""
    label.setBuddy(field)
    set_name(field, strip_mnemonic(label.text()), description)
    return label


def announce(widget: QWidget, message: str, *, assertive: bool = False) -> None:
    """Have screen readers speak ``message`` now (errors ``assertive``: they interrupt)."""
    if not message:
        return
    ANNOUNCED.append((message, assertive))
    event = QAccessibleAnnouncementEvent(widget, message)
    politeness = QAccessible.AnnouncementPoliteness
    event.setPoliteness(politeness.Assertive if assertive else politeness.Polite)
    QAccessible.updateAccessibility(event)


def show_message(label: QLabel, text: str, *, error: bool = False, style: str = "") -> None:
    """Put ``text`` in a status label, styled, and announce it (errors interrupt the screen reader)."""
    label.setText(text)
    label.setStyleSheet(style)
    announce(label, text, assertive=error)


def show_problem(label: QLabel, text: str, *fields: QWidget) -> None:
    """Show a validation problem under ``fields``: it becomes their accessible description (read with the
    field) and is announced when it changes to a new problem (not again on every keystroke)."""
    if text == label.text():
        return
    label.setText(text)
    for field in fields:
        field.setAccessibleDescription(text)
    announce(label, text)


# ----------------------------------------------------------------------------------------- audits
def interface(widget: QWidget) -> QAccessibleInterface:
    """The accessible interface of ``widget`` (what AT-SPI serves for it)."""
    found = QAccessible.queryAccessibleInterface(widget)
    if found is None:  # every QWidget has one; None would mean accessibility is compiled out
        raise RuntimeError(f"no accessible interface for {widget!r}")
    return found


def accessible_name(widget: QWidget) -> str:
    """The name a screen reader speaks for ``widget``.

    On Linux Qt leaves a field's label to the labelled-by relation (a buddy label), which Orca reads as
    the name, and names a combo box by its current value: so the explicit name comes first, then the
    widget's own name (not a combo box's value), then the label linked to it.
    """
    if widget.accessibleName():
        return widget.accessibleName()
    if not isinstance(widget, QComboBox):
        name = interface(widget).text(QAccessible.Text.Name).strip()
        if name:
            return name
    for other, relation in interface(widget).relations(QAccessible.RelationFlag.Label):
        if relation & QAccessible.RelationFlag.Label:
            return strip_mnemonic(other.text(QAccessible.Text.Name))
    return ""


def takes_focus(widget: QWidget) -> bool:
    """Whether keyboard focus can land on ``widget`` by Tab (visible, enabled, accepts Tab focus)."""
    return (
        widget.isVisible()
        and widget.isEnabled()
        and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        and widget.focusProxy() is None
    )


def focusable_controls(root: QWidget) -> Iterator[QWidget]:
    """Visible widgets under ``root`` (itself included) that keyboard focus can reach."""
    for widget in [root, *root.findChildren(QWidget)]:
        if takes_focus(widget) and not isinstance(widget, QMenu):
            yield widget


def unnamed_controls(roots: Iterable[QWidget]) -> list[str]:
    """Focusable controls under ``roots`` without an accessible name, described for an error message."""
    found = []
    for root in roots:
        for widget in focusable_controls(root):
            if not accessible_name(widget):
                parent = widget.parentWidget()
                where = widget.objectName() or widget.toolTip() or (type(parent).__name__ if parent else "")
                found.append(f"{type(widget).__name__} ({where})")
    return found


def unlabelled_symbol_buttons(roots: Iterable[QWidget]) -> list[str]:
    """Buttons whose spoken name is only symbols ("✕", "↑", ".*"): a name must be words."""
    found = []
    for root in roots:
        for button in root.findChildren(QAbstractButton):
            name = accessible_name(button) if button.isVisible() else "x"
            if not any(ch.isalpha() for ch in name):
                found.append(f"{type(button).__name__} named {name!r}")
    return found
