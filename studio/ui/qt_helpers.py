"""Small typed helpers over Qt APIs whose stubs are looser than their behaviour."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtWidgets import QLabel, QTreeWidgetItem, QWidget


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A label whose ``&`` mnemonic focuses ``buddy``."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def child_items(item: QTreeWidgetItem) -> Iterator[QTreeWidgetItem]:
    """The direct children of a tree item (``child(i)`` is typed Optional, but never None in range)."""
    for i in range(item.childCount()):
        child = item.child(i)
        if child is not None:
            yield child


def selected_children(*groups: QTreeWidgetItem) -> Iterator[QTreeWidgetItem]:
    """The selected direct children of ``groups``, group by group, in list order."""
    for group in groups:
        yield from (child for child in child_items(group) if child.isSelected())
