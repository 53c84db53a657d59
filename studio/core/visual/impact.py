"""Token impact beside the rendered diff: which changed custom properties caused it.

The analysis itself is :func:`studio.core.review.token_impact.token_impact`; this is the one place the visual
comparison asks for it, so the CLI and the *Visual changes* view show the same thing.
"""

from __future__ import annotations

from typing import Any

from studio.core.review.token_impact import token_impact


def token_impact_parts(old_css: str, new_css: str) -> tuple[dict[str, Any], str]:
    """The token impact of going from ``old_css`` to ``new_css``: as JSON and as a short text."""
    impact = token_impact(old_css, new_css)
    return impact.to_json(), impact.to_text()
