"""APCA lightness contrast (Lc), shown beside the WCAG ratio as advice.

ColorAide (our colour library) ships WCAG 2.1 contrast but no longer ships APCA, and no maintained Python
package implements it, so this is the published reference algorithm (SAPC-APCA 0.0.98G-4g, the version the
WCAG 3 drafts cite), constant for constant. Lc is signed: positive for dark text on a light background,
negative for light text on a dark one; |Lc| 75 is the suggested floor for body text, 60 for large text.
"""

from __future__ import annotations

_MAIN_TRC = 2.4
_R, _G, _B = 0.2126729, 0.7151522, 0.0721750
_NORM_BG, _NORM_TXT = 0.56, 0.57
_REV_TXT, _REV_BG = 0.62, 0.65
_BLACK_THRESHOLD, _BLACK_CLAMP = 0.022, 1.414
_SCALE = 1.14
_LO_OFFSET = 0.027
_DELTA_Y_MIN = 0.0005
_LO_CLIP = 0.1


def _screen_luminance(rgb: tuple[float, float, float]) -> float:
    r, g, b = (float(max(0.0, min(1.0, c)) ** _MAIN_TRC) for c in rgb)
    return _R * r + _G * g + _B * b


def _soft_clamp(y: float) -> float:
    return y if y > _BLACK_THRESHOLD else y + (_BLACK_THRESHOLD - y) ** _BLACK_CLAMP


def apca_lc(text: tuple[float, float, float], background: tuple[float, float, float]) -> float:
    """APCA Lc of opaque sRGB ``text`` (0..1 channels) on opaque sRGB ``background``, about -108..106."""
    y_text = _soft_clamp(_screen_luminance(text))
    y_back = _soft_clamp(_screen_luminance(background))
    if abs(y_back - y_text) < _DELTA_Y_MIN:
        return 0.0
    if y_back > y_text:  # dark text on a light background
        sapc = (y_back**_NORM_BG - y_text**_NORM_TXT) * _SCALE
        output = 0.0 if sapc < _LO_CLIP else sapc - _LO_OFFSET
    else:  # light text on a dark background
        sapc = (y_back**_REV_BG - y_text**_REV_TXT) * _SCALE
        output = 0.0 if sapc > -_LO_CLIP else sapc + _LO_OFFSET
    return output * 100
