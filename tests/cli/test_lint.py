"""``themestudio lint --fix``, ``--format sarif`` and ``--explain``: real processes on real files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema

from tests.cli.test_main import themestudio
from tests.conftest import REPO

MISTAKES = REPO / "tests" / "data" / "lint" / "mistakes.css"
SCHEMA = json.loads(
    (REPO / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)


def test_fix_rewrites_the_file_and_says_what_changed(tmp_path: Path) -> None:
    css = tmp_path / "theme.css"
    css.write_bytes(
        b"\xef\xbb\xbf.a {\r\n  width: calc(100%-10px);\r\n  color: red;\r\n  color: red;\r\n}\r\n"
    )
    result = themestudio("lint", "--fix", str(css))
    assert result.returncode == 0, result.stderr
    assert css.read_bytes() == b"\xef\xbb\xbf.a {\r\n  width: calc(100% - 10px);\r\n  color: red;\r\n}\r\n"
    assert f"{css}:2:19: fixed [calc-operator-spacing] Put spaces around '-'" in result.stderr
    assert f"{css}:4:3: fixed [duplicate-declaration] Remove the first color declaration" in result.stderr
    assert "0 error(s), 0 warning(s)" in result.stderr
    assert not list(tmp_path.glob("*.tmp*"))  # the atomic write left nothing behind


def test_fix_leaves_a_clean_or_undecodable_file_untouched(tmp_path: Path) -> None:
    clean = tmp_path / "clean.css"
    clean.write_text(".a { color: red }\n", encoding="utf-8")
    before = clean.stat().st_mtime_ns
    bad = tmp_path / "bad.css"
    bad.write_bytes(b".a { width: calc(1px+ 2px); content: '\xff' }")
    result = themestudio("lint", "--fix", str(clean), str(bad))
    assert clean.stat().st_mtime_ns == before
    assert bad.read_bytes() == b".a { width: calc(1px+ 2px); content: '\xff' }"
    assert f"{bad}: not fixed: the file is not valid UTF-8" in result.stderr
    assert result.returncode == 1  # the encoding error is still reported


def test_sarif_output_is_valid_sarif_2_1_0(tmp_path: Path) -> None:
    copy = tmp_path / "mistakes.css"
    shutil.copy(MISTAKES, copy)
    result = themestudio("lint", "--format", "sarif", str(copy), str(tmp_path / "missing.css"))
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    run = log["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "invalid-value" in rules
    assert "safety/remote-import" in rules
    results = run["results"]
    assert len(results) >= 28
    first = results[0]
    assert rules[first["ruleIndex"]] == first["ruleId"]
    region = first["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (3, 1)
    fixable = [r for r in results if "fixes" in r]
    assert {r["ruleId"] for r in fixable} >= {"calc-operator-spacing", "font-family-no-generic"}
    assert run["invocations"][0]["executionSuccessful"] is False  # missing.css
    assert result.returncode == 1


def test_sarif_validation_would_catch_a_broken_log() -> None:
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]}  # driver needs a name
    validator = jsonschema.Draft4Validator(SCHEMA)
    assert list(validator.iter_errors(broken))


def test_explain_documents_every_rule() -> None:
    result = themestudio("lint", "--explain", "shorthand-override")
    assert result.returncode == 0
    assert result.stdout.startswith("shorthand-override (warning)")
    assert "background-color: blue; background: red" in result.stdout
    unknown = themestudio("lint", "--explain", "no-such-rule")
    assert unknown.returncode == 2
    assert "calc-operator-spacing" in unknown.stderr
    nothing = themestudio("lint")
    assert nothing.returncode == 2
    assert "give at least one PATH" in nothing.stderr
