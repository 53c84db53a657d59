"""Tokens → theme → tokens, and what lost its meaning on the way (the ``tokens_roundtrip_loss`` figure)."""

from __future__ import annotations

from studio.core.tokens.apply import BASE, ImportPlan, Mode, plan_import
from studio.core.tokens.compare import differences
from studio.core.tokens.export import theme_tokens
from studio.core.tokens.sources import TokenSource


def roundtrip(
    text: str, source: TokenSource, modes: list[Mode] | None = None
) -> tuple[ImportPlan, dict[str, str]]:
    """Import ``source`` into ``text``, export the result, and compare each scheme's tokens with the input's.

    Returns:
        The import plan, and ``"<scheme> <path>" → what changed`` for every token whose meaning changed.
    """
    plan = plan_import(text, source, modes)
    if plan.errors:
        raise ValueError("; ".join(str(e) for e in plan.errors))
    themed = theme_tokens(plan.new_text, plan.meta)
    lost: dict[str, str] = {}
    for target, inputs in plan.inputs.items():
        before = source.resolve(inputs).tokens
        scheme = themed.base_scheme if target == BASE else target
        after = {p: t for p, t in themed.resolved(scheme).items() if p in before}
        lost.update({f"{scheme} {path}": what for path, what in differences(before, after).items()})
    return plan, lost
