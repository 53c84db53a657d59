"""Real frameworks lint without errors and with few, genuine warnings, at a cost close to parsing them."""

from __future__ import annotations

import time
from collections import Counter

import pytest
import tinycss2

from studio.core.css.lint import lint_bytes, lint_css
from tests.conftest import CORPUS

# Warnings we looked at and found genuine (upper bounds, so an improvement does not fail the test):
# Bootstrap leaves three hook variables undefined on purpose; Bulma uses ~470 variables it never defines,
# repeats five custom properties in :root with new values and writes `padding: auto` nine times.
EXPECTED_MAX_WARNINGS = {
    "bootstrap.css": {"undefined-variable": 3},
    "bulma.css": {"undefined-variable": 480, "duplicate-declaration": 15, "invalid-value": 9},
    "normalize.css": {},
}


@pytest.mark.parametrize("name", sorted(EXPECTED_MAX_WARNINGS))
def test_framework_has_no_errors_and_only_known_warnings(name: str) -> None:
    result = lint_bytes((CORPUS / name).read_bytes())
    counts = Counter(d.rule for d in result.diagnostics)
    print(f"{name}: {dict(counts)}")
    assert not result.has_errors, [d for d in result.diagnostics if d.is_error][:5]
    for rule, count in counts.items():
        assert count <= EXPECTED_MAX_WARNINGS[name].get(rule, 0), (rule, count)


def test_bootstrap_lint_costs_at_most_twice_a_bare_parse() -> None:
    text = (CORPUS / "bootstrap.css").read_text(encoding="utf-8")
    parse_times, lint_times = [], []
    for _ in range(3):  # best of three, interleaved, so machine load hits both alike
        started = time.perf_counter()
        tinycss2.parse_stylesheet(text)
        parse_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        lint_css(text)
        lint_times.append(time.perf_counter() - started)
    ratio = min(lint_times) / min(parse_times)
    print(f"lint/parse ratio on Bootstrap: {ratio:.2f}")
    assert ratio <= 2.5  # the target is 2.0; the margin absorbs timing noise on a shared machine
