"""Real frameworks lint without errors and with few, genuine warnings, at a cost close to parsing them."""

from __future__ import annotations

from collections import Counter

import pytest

from studio.core.css.lint import lint_bytes
from tests.conftest import CORPUS

# Warnings we looked at and found genuine (upper bounds, so an improvement does not fail the test):
# Bootstrap leaves three hook variables undefined on purpose; Bulma uses ~470 variables it never defines,
# writes `padding: auto` nine times, and redeclares custom properties inside one block (each of its three
# :root copies sets --bulma-light-l, --bulma-dark-l, --bulma-text-l... twice, so the first values are dead;
# `.button.is-loading::after` repeats `position: absolute` with !important) — 20 findings, checked by hand.
EXPECTED_MAX_WARNINGS = {
    "bootstrap.css": {"undefined-variable": 3},
    "bulma.css": {"undefined-variable": 480, "duplicate-declaration": 20, "invalid-value": 9},
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
