"""A small, safe evaluator for Tokens Studio math (``{space.base} * 2``, ``(16px + 4) / 2``) over ``ast``.

Only numbers with an optional unit, ``+ - * /``, unary minus and parentheses are accepted; references are
substituted by the caller's lookup first. Nothing is ever passed to ``eval``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

_UNIT_NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d*)?|\.\d+)([a-zA-Z%]+)")
_REFERENCE = re.compile(r"\{([^{}]+)\}")
MAX_LENGTH = 500


class MathError(ValueError):
    """The expression is not plain arithmetic, mixes units, or refers to something that is no number."""


Quantity = tuple[float, str]  # (number, unit or "")


def evaluate(expression: str, lookup: Callable[[str], Quantity]) -> Quantity:
    """The value of ``expression``; ``lookup`` gives each ``{reference}`` as a number and unit.

    Raises:
        MathError: anything but arithmetic on numbers of one unit (a bare number multiplies any unit).
    """
    if len(expression) > MAX_LENGTH:
        raise MathError("expression is too long")
    quantities: list[Quantity] = []

    def slot(quantity: Quantity) -> str:
        quantities.append(quantity)
        return f"_q{len(quantities) - 1}"

    text = _REFERENCE.sub(lambda m: slot(lookup(m.group(1).strip())), expression)
    text = _UNIT_NUMBER.sub(lambda m: slot((float(m.group(1)), m.group(2).lower())), text)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise MathError(f"not an arithmetic expression: {expression!r}") from None
    return _eval(tree.body, quantities)


def _eval(node: ast.AST, quantities: list[Quantity]) -> Quantity:
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
    ):
        return float(node.value), ""
    if isinstance(node, ast.Name) and node.id.startswith("_q") and node.id[2:].isdigit():
        return quantities[int(node.id[2:])]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value, unit = _eval(node.operand, quantities)
        return (-value if isinstance(node.op, ast.USub) else value), unit
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        (a, ua), (b, ub) = _eval(node.left, quantities), _eval(node.right, quantities)
        if isinstance(node.op, (ast.Add, ast.Sub)):
            if ua and ub and ua != ub:
                raise MathError(f"cannot add {ua} and {ub}")
            return (a + b if isinstance(node.op, ast.Add) else a - b), ua or ub
        if isinstance(node.op, ast.Mult):
            if ua and ub:
                raise MathError(f"cannot multiply {ua} by {ub}")
            return a * b, ua or ub
        if b == 0:
            raise MathError("division by zero")
        if ub and ub != ua:
            raise MathError(f"cannot divide {ua or 'a number'} by {ub}")
        return a / b, "" if ub else ua
    raise MathError("only numbers, units, + - * / and parentheses are allowed")
