"""Token impact beside the rendered diff: which changed custom properties caused it.

The analysis itself is :func:`studio.core.review.token_impact.token_impact`; this is the one place the visual
comparison asks for it, so the CLI and the *Visual changes* view show the same thing.
"""

from __future__ import annotations

import importlib
from typing import Any


def token_impact_json(old_css: str, new_css: str) -> dict[str, Any] | None:
    """The token impact of going from ``old_css`` to ``new_css`` as JSON, or ``None`` where this build has
    no token-impact analysis."""
    try:
        module = importlib.import_module("studio.core.review.token_impact")
    except ImportError:
        return None
    result: dict[str, Any] = module.token_impact(old_css, new_css).to_json()
    return result
