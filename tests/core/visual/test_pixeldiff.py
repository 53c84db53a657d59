"""The numpy pixel comparison: exactly pixelmatch's verdicts, at a threshold that sees one unit."""

from __future__ import annotations

import numpy as np
import pytest
from pixelmatch import pixelmatch

from studio.core.visual.pixeldiff import DEFAULT_THRESHOLD, compare_pixels


def flat(height: int, width: int, rgb: tuple[int, int, int]) -> np.ndarray:
    image = np.empty((height, width, 4), dtype=np.uint8)
    image[...] = (*rgb, 255)
    return image


def reference(a: np.ndarray, b: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """The changed and anti-aliased masks as the reference pixelmatch port draws them."""
    height, width = a.shape[:2]
    out = [0] * (height * width * 4)
    pixelmatch(list(a.tobytes()), list(b.tobytes()), width, height, out, threshold=threshold)
    drawn = np.array(out, dtype=np.uint8).reshape(height, width, 4)
    red = (drawn[..., 0] == 255) & (drawn[..., 1] == 0) & (drawn[..., 2] == 0)
    yellow = (drawn[..., 0] == 255) & (drawn[..., 1] == 255) & (drawn[..., 2] == 0)
    return red, yellow


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("threshold", [DEFAULT_THRESHOLD, 0.1])
def test_same_verdict_as_the_reference_pixelmatch(seed: int, threshold: float) -> None:
    rng = np.random.default_rng(seed)
    height, width = (int(v) for v in rng.integers(4, 36, 2))
    # Blocks of a few grey levels: flat areas, hard edges and pixels that look anti-aliased.
    levels = (rng.integers(0, 4, ((height + 1) // 2, (width + 1) // 2, 1)) * 70).astype(np.uint8)
    a = np.kron(levels, np.ones((2, 2, 1), dtype=np.uint8))[:height, :width].repeat(4, axis=2)
    a[..., 3] = 255
    b = a.copy()
    moved = rng.random((height, width)) < 0.12
    b[moved, :3] = np.clip(b[moved, :3].astype(int) + rng.integers(-40, 40, (int(moved.sum()), 3)), 0, 255)
    if seed % 3 == 0:
        b[..., 3] = rng.integers(90, 256, (height, width))  # translucent pixels are blended on white
    ours = compare_pixels(a, b, threshold=threshold)
    red, yellow = reference(a, b, threshold)
    assert (ours.changed == red).all()
    assert (ours.antialiased == yellow).all()


def test_identical_images_have_no_change() -> None:
    image = np.random.default_rng(0).integers(0, 256, (50, 40, 4), dtype=np.uint8)
    diff = compare_pixels(image, image.copy())
    assert diff.changed_count == 0
    assert diff.changed_ratio == 0.0
    assert not diff.antialiased.any()


@pytest.mark.parametrize("channel", [0, 1, 2])
def test_one_unit_in_one_channel_of_a_flat_area_is_a_change(channel: int) -> None:
    old = flat(30, 30, (47, 91, 211))
    new = old.copy()
    new[10:20, 10:20, channel] += 1
    diff = compare_pixels(old, new)
    assert diff.changed_count == 100
    assert diff.changed[10:20, 10:20].all()


def test_a_shifted_antialiased_edge_is_not_a_change() -> None:
    old = flat(20, 20, (255, 255, 255))
    old[:, 10:] = (0, 0, 0, 255)
    old[:, 9] = (128, 128, 128, 255)  # the blend of a vertical edge between pixels
    new = old.copy()
    new[:, 9] = (120, 120, 120, 255)  # the same edge, rasterised a hair further
    diff = compare_pixels(old, new)
    assert diff.changed_count == 0
    assert diff.antialiased[:, 9].all()


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="sizes differ"):
        compare_pixels(flat(2, 2, (0, 0, 0)), flat(3, 2, (0, 0, 0)))
    with pytest.raises(ValueError, match="RGBA"):
        compare_pixels(np.zeros((2, 2, 3), np.uint8), np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(ValueError, match="threshold"):
        compare_pixels(flat(2, 2, (0, 0, 0)), flat(2, 2, (0, 0, 0)), threshold=2)
