"""Pixel comparison with a perceptual colour threshold and anti-aliasing detection, after pixelmatch.

The algorithm is mapbox/pixelmatch's (YIQ colour delta, Kotsarenko & Ramos 2010; anti-aliased pixels found
as in Vyšniauskas 2009), vectorised with numpy: the whole image is compared as 32-bit words first (identical
renders cost one comparison), and the YIQ delta and the anti-aliasing test run only on pixels that differ.

Our renders are deterministic (same fonts, no animation, fixed pixel ratio), so the default threshold is tiny:
a one-unit change in one channel of a flat colour is a change a reviewer must see. Anti-aliasing detection
still drops edge pixels that only moved their blend, as pixelmatch does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: pixelmatch's largest possible YIQ delta (between black and white); thresholds scale it.
MAX_YIQ_DELTA = 35215.0
#: Small enough that one unit in one channel of any colour counts (the smallest such delta, blue, is ~0.057;
#: this threshold allows ~0.009).
DEFAULT_THRESHOLD = 0.0005

# Neighbour offsets in pixelmatch's loop order (x outer, y inner): ties resolve to the same pixel as its JS.
_OFFSETS = tuple((dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if (dx, dy) != (0, 0))

RGBA = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class PixelDiff:
    """Where two equally sized RGBA images differ.

    Attributes:
        changed: pixels whose colour moved beyond the threshold and are not anti-aliasing.
        antialiased: pixels that differ only as an anti-aliased edge would (not counted as changed).
    """

    changed: Mask
    antialiased: Mask

    @property
    def changed_count(self) -> int:
        return int(np.count_nonzero(self.changed))

    @property
    def changed_ratio(self) -> float:
        return self.changed_count / self.changed.size if self.changed.size else 0.0


def compare_pixels(old: RGBA, new: RGBA, *, threshold: float = DEFAULT_THRESHOLD,
                   detect_antialiasing: bool = True) -> PixelDiff:
    """Compare two ``(height, width, 4)`` uint8 RGBA images of the same size.

    Args:
        threshold: 0..1, pixelmatch's meaning: the largest YIQ delta still treated as equal, relative.
        detect_antialiasing: drop differences pixelmatch classifies as anti-aliasing.

    Raises:
        ValueError: the images are not RGBA uint8 of one size, or the threshold is outside 0..1.
    """
    _check(old, new, threshold)
    height, width = old.shape[:2]
    words_old = _words(old)
    words_new = _words(new)
    candidates = np.flatnonzero(words_old != words_new)
    changed = np.zeros(height * width, dtype=bool)
    antialiased = np.zeros(height * width, dtype=bool)
    if candidates.size:
        rgb_old = _blend_on_white(old.reshape(-1, 4)[candidates])
        rgb_new = _blend_on_white(new.reshape(-1, 4)[candidates])
        over = candidates[_yiq_delta(rgb_old, rgb_new) > MAX_YIQ_DELTA * threshold * threshold]
        if over.size and detect_antialiasing:
            ys, xs = np.divmod(over, width)
            aa = (_antialiased_where_possible(old, words_old, words_new, xs, ys)
                  | _antialiased_where_possible(new, words_new, words_old, xs, ys))
            antialiased[over[aa]] = True
            over = over[~aa]
        changed[over] = True
    return PixelDiff(changed.reshape(height, width), antialiased.reshape(height, width))


def _check(old: RGBA, new: RGBA, threshold: float) -> None:
    for image in (old, new):
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 4:
            raise ValueError(f"expected a (height, width, 4) uint8 RGBA image, not {image.dtype} "
                             f"{image.shape}")
    if old.shape != new.shape:
        (oh, ow), (nh, nw) = old.shape[:2], new.shape[:2]
        raise ValueError(f"image sizes differ: {ow}x{oh} vs {nw}x{nh}")
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be within 0..1, not {threshold}")


def _words(image: RGBA) -> npt.NDArray[np.uint32]:
    """One 32-bit word per pixel: equal words are equal RGBA (pixelmatch's fast path and sibling test)."""
    return np.ascontiguousarray(image).view(np.uint32).reshape(image.shape[:2])


def _blend_on_white(rgba: RGBA) -> npt.NDArray[np.float64]:
    """Translucent pixels as pixelmatch sees them: blended on white."""
    values = rgba.astype(np.float64)
    alpha = values[..., 3:4] / 255.0
    return 255.0 + (values[..., :3] - 255.0) * alpha


def _y(rgb: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    result: npt.NDArray[np.float64] = (rgb[..., 0] * 0.29889531 + rgb[..., 1] * 0.58662247
                                       + rgb[..., 2] * 0.11448223)
    return result


def _yiq_delta(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    y = _y(a) - _y(b)
    i = ((a[..., 0] * 0.59597799 - a[..., 1] * 0.27417610 - a[..., 2] * 0.32180189)
         - (b[..., 0] * 0.59597799 - b[..., 1] * 0.27417610 - b[..., 2] * 0.32180189))
    q = ((a[..., 0] * 0.21147017 - a[..., 1] * 0.52261711 + a[..., 2] * 0.31114694)
         - (b[..., 0] * 0.21147017 - b[..., 1] * 0.52261711 + b[..., 2] * 0.31114694))
    result: npt.NDArray[np.float64] = 0.5053 * y * y + 0.299 * i * i + 0.1957 * q * q
    return result


def _luma_at(image: RGBA, xs: npt.NDArray[np.intp], ys: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
    """Brightness of the pixels at ``(ys, xs)`` only (the whole image would cost ~0.5 s at 1280 x 4000)."""
    return _y(_blend_on_white(image[ys, xs]))


def _neighbours(xs: npt.NDArray[np.intp], ys: npt.NDArray[np.intp], width: int, height: int
                ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], Mask, npt.NDArray[np.intp]]:
    """The 8 neighbours of each pixel as ``(N, 8)`` coordinates (clamped), whether each exists, and the
    pixelmatch border bonus (a pixel on the image edge starts with one "equal" sibling)."""
    dx = np.array([o[0] for o in _OFFSETS])
    dy = np.array([o[1] for o in _OFFSETS])
    nx = xs[:, None] + dx[None, :]
    ny = ys[:, None] + dy[None, :]
    valid = (nx >= 0) & (nx < width) & (ny >= 0) & (ny < height)
    border = ((xs == 0) | (xs == width - 1) | (ys == 0) | (ys == height - 1)).astype(np.intp)
    return np.clip(nx, 0, width - 1), np.clip(ny, 0, height - 1), valid, border


def _antialiased_where_possible(image: RGBA, words: npt.NDArray[np.uint32],
                                other_words: npt.NDArray[np.uint32], xs: npt.NDArray[np.intp],
                                ys: npt.NDArray[np.intp]) -> Mask:
    """:func:`_antialiased`, skipping pixels with three or more identical neighbours: those have three or
    more of equal brightness too, which pixelmatch rules out at once (most pixels of a recoloured area)."""
    result = np.zeros(xs.size, dtype=bool)
    open_ = ~_many_siblings(words, xs, ys)
    if open_.any():
        result[open_] = _antialiased(image, words, other_words, xs[open_], ys[open_])
    return result


def _antialiased(image: RGBA, words: npt.NDArray[np.uint32], other_words: npt.NDArray[np.uint32],
                 xs: npt.NDArray[np.intp], ys: npt.NDArray[np.intp]) -> Mask:
    """pixelmatch's ``antialiased(img, x, y, ..., a32, b32)`` for many pixels at once."""
    height, width = words.shape
    nx, ny, valid, border = _neighbours(xs, ys, width, height)
    delta = _luma_at(image, xs, ys)[:, None] - _luma_at(image, nx, ny)
    zeroes = border + np.count_nonzero(valid & (delta == 0), axis=1)
    darker = np.where(valid & (delta < 0), delta, np.inf)
    brighter = np.where(valid & (delta > 0), delta, -np.inf)
    has_darker = np.isfinite(darker.min(axis=1))
    has_brighter = np.isfinite(brighter.max(axis=1))
    candidate = (zeroes <= 2) & has_darker & has_brighter
    rows = np.arange(xs.size)
    dark_i = darker.argmin(axis=1)
    bright_i = brighter.argmax(axis=1)
    dark_x, dark_y = nx[rows, dark_i], ny[rows, dark_i]
    bright_x, bright_y = nx[rows, bright_i], ny[rows, bright_i]
    result: Mask = candidate & (
        (_many_siblings(words, dark_x, dark_y) & _many_siblings(other_words, dark_x, dark_y))
        | (_many_siblings(words, bright_x, bright_y) & _many_siblings(other_words, bright_x, bright_y))
    )
    return result


def _many_siblings(words: npt.NDArray[np.uint32], xs: npt.NDArray[np.intp], ys: npt.NDArray[np.intp]) -> Mask:
    """pixelmatch's ``hasManySiblings``: at least three neighbours of exactly the same RGBA."""
    height, width = words.shape
    nx, ny, valid, border = _neighbours(xs, ys, width, height)
    same = valid & (words[ny, nx] == words[ys, xs][:, None])
    result: Mask = (border + np.count_nonzero(same, axis=1)) > 2
    return result
