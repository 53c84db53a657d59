"""Paints one theme of the catalogue as a card: thumbnail, name, author and version, tags, counts.

Every row has the same height (the view uses uniform sizes, so 100,000 rows cost no layout), and painting asks
the :class:`ThumbnailCache` for the row's image: only rows on screen ever trigger a download.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from studio.ui.browse.model import FAVOURITE_ROLE, ITEM_ROLE, plural
from studio.ui.browse.source import CatalogTheme
from studio.ui.browse.thumbnails import THUMB_SIZE, ThumbnailCache

ROW_HEIGHT: Final = THUMB_SIZE.height() + 16
_PAD: Final = 8
_TAG_BG: Final = QColor("#e7edf5")
_TAG_FG: Final = QColor("#1f3a5f")  # 10.4:1 on the chip
_PLACEHOLDER: Final = QColor("#dde3ea")
_FAVOURITE: Final = QColor("#c2255c")


def counts_text(item: CatalogTheme) -> str:
    c = item.counts
    return " · ".join(plural(n, noun) for n, noun in (
        (c.installs, "install"), (c.downloads, "download"), (c.views, "view"), (c.favourites, "favourite")))


class ThemeCardDelegate(QStyledItemDelegate):
    """Draws a theme row; thumbnails come from ``thumbnails`` (requested as rows are painted)."""

    def __init__(self, thumbnails: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thumbnails = thumbnails

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(320, ROW_HEIGHT)  # as wide as the view (it never scrolls sideways; text is elided)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        item = index.data(ITEM_ROLE)
        if not isinstance(item, CatalogTheme):
            super().paint(painter, option, index)
            return
        painter.save()
        try:
            self._paint(painter, option, item, bool(index.data(FAVOURITE_ROLE)))
        finally:
            painter.restore()

    def _paint(
        self, painter: QPainter, option: QStyleOptionViewItem, item: CatalogTheme, favourite: bool
    ) -> None:
        rect: QRect = option.rect
        palette: QPalette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        # The style draws the background, selection and the focus frame (the studio widens it to 2 px).
        style = option.widget.style() if option.widget is not None else None
        if style is not None:
            plain = QStyleOptionViewItem(option)
            plain.text = ""
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, plain, painter, option.widget)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        text_color = palette.color(role)
        muted = QColor(text_color)
        if not selected:
            muted = palette.color(QPalette.ColorRole.PlaceholderText).darker(130)

        thumb = QRect(rect.left() + _PAD, rect.top() + _PAD, THUMB_SIZE.width(), THUMB_SIZE.height())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pixmap = self.thumbnails.get(item.preview_url) if item.preview_url else None
        if pixmap is not None:
            target = QRect(0, 0, pixmap.width(), pixmap.height())
            target.moveCenter(thumb.center())
            painter.drawPixmap(target, pixmap)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_PLACEHOLDER)
            painter.drawRoundedRect(thumb, 4, 4)
            painter.setPen(QColor("#4a5562"))
            waiting = item.preview_url and not self.thumbnails.failed(item.preview_url)
            label = "Loading preview…" if waiting else "No preview"
            painter.drawText(thumb, Qt.AlignmentFlag.AlignCenter, label)

        left = thumb.right() + 2 * _PAD
        width = rect.right() - _PAD - left
        base = QFont(option.font)
        title = QFont(base)
        title.setPointSizeF(base.pointSizeF() * 1.15)
        title.setBold(True)
        y = rect.top() + _PAD

        painter.setFont(title)
        painter.setPen(text_color)
        fm = QFontMetrics(title)
        star = "♥ " if favourite else ""
        if star:
            painter.setPen(_FAVOURITE if not selected else text_color)
            painter.drawText(left, y + fm.ascent(), star)
            painter.setPen(text_color)
        star_w = fm.horizontalAdvance(star)
        painter.drawText(left + star_w, y + fm.ascent(),
                         fm.elidedText(item.name, Qt.TextElideMode.ElideRight, width - star_w))
        y += fm.height() + 2

        painter.setFont(base)
        fm = QFontMetrics(base)
        painter.setPen(muted)
        version = f"v{item.latest_version}" if item.latest_version else "no release yet"
        line = f"by {item.author or 'unknown'} · {version}"
        painter.drawText(left, y + fm.ascent(), fm.elidedText(line, Qt.TextElideMode.ElideRight, width))
        y += fm.height() + 4

        small = QFont(base)
        small.setPointSizeF(base.pointSizeF() * 0.9)
        painter.setFont(small)
        sfm = QFontMetrics(small)
        x = left
        for tag in item.tags:
            w = sfm.horizontalAdvance(tag) + 12
            if x + w > left + width:
                break
            chip = QRect(x, y, w, sfm.height() + 4)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_TAG_BG)
            painter.drawRoundedRect(chip, 8, 8)
            painter.setPen(_TAG_FG)
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, tag)
            x += w + 6
        y += sfm.height() + 10

        painter.setFont(base)
        painter.setPen(muted)
        painter.drawText(left, y + fm.ascent(),
                         fm.elidedText(counts_text(item), Qt.TextElideMode.ElideRight, width))
