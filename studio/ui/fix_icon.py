"""The light-bulb icon that marks a problem with a safe automatic fix (Problems panel and editor gutter)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

BULB = QColor("#f2c200")
OUTLINE = QColor("#7a5c00")


def paint_bulb(painter: QPainter, rect: QRectF) -> None:
    """Draw a light bulb filling ``rect`` (a glass circle over a small screw base)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    size = min(rect.width(), rect.height())
    x = rect.x() + (rect.width() - size) / 2
    y = rect.y() + (rect.height() - size) / 2
    glass = QRectF(x + size * 0.15, y, size * 0.7, size * 0.7)
    path = QPainterPath()
    path.addEllipse(glass)
    neck = QRectF(x + size * 0.33, y + size * 0.6, size * 0.34, size * 0.22)
    path.addRect(neck)
    pen = QPen(OUTLINE, max(1.0, size / 14))
    painter.setPen(pen)
    painter.setBrush(BULB)
    painter.drawPath(path.simplified())
    painter.setBrush(OUTLINE)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRect(QRectF(x + size * 0.36, y + size * 0.84, size * 0.28, size * 0.12))
    painter.setPen(QPen(QColor(255, 255, 255, 200), max(1.0, size / 12)))
    painter.drawArc(QRectF(x + size * 0.28, y + size * 0.12, size * 0.3, size * 0.3), 90 * 16, 90 * 16)
    painter.restore()


def fix_icon(size: int = 16) -> QIcon:
    """The bulb as an icon."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    paint_bulb(painter, QRectF(0, 0, size, size))
    painter.end()
    return QIcon(pixmap)
