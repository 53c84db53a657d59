"""Lint results as SARIF 2.1.0, the format code-scanning services (GitHub, GitLab, Azure) read."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

from studio.core.css.lint import LintResult
from studio.core.css.rules import RULES
from studio.core.diagnostics import Diagnostic, Fix, Severity

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.HINT: "note"}


def _uri(path: Path) -> str:
    """A relative URI for paths under the working directory (resolved against %SRCROOT%), else file://."""
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path.resolve().as_uri()
    return quote(relative.as_posix())


def _location(uri: str, line: int, column: int) -> dict[str, object]:
    artifact: dict[str, object] = {"uri": uri}
    if not uri.startswith("file:"):
        artifact["uriBaseId"] = "%SRCROOT%"
    return {
        "physicalLocation": {
            "artifactLocation": artifact,
            "region": {"startLine": line, "startColumn": column},
        }
    }


def _fix(uri: str, fix: Fix) -> dict[str, object]:
    artifact: dict[str, object] = {"uri": uri}
    if not uri.startswith("file:"):
        artifact["uriBaseId"] = "%SRCROOT%"
    return {
        "description": {"text": fix.description},
        "artifactChanges": [
            {
                "artifactLocation": artifact,
                "replacements": [
                    {
                        "deletedRegion": {
                            "startLine": e.line,
                            "startColumn": e.column,
                            "endLine": e.end_line,
                            "endColumn": e.end_column,
                        },
                        "insertedContent": {"text": e.text},
                    }
                    for e in fix.edits
                ],
            }
        ],
    }


def _result(uri: str, d: Diagnostic, rule_index: dict[str, int]) -> dict[str, object]:
    result: dict[str, object] = {
        "ruleId": d.rule,
        "level": _LEVEL[d.severity],
        "message": {"text": d.message},
        "locations": [_location(uri, d.line, d.column)],
    }
    if d.rule in rule_index:
        result["ruleIndex"] = rule_index[d.rule]
    if d.fix is not None:
        result["fixes"] = [_fix(uri, d.fix)]
    return result


def _version() -> str:
    try:
        return metadata.version("themesystem-studio")
    except metadata.PackageNotFoundError:
        return "0"


def to_sarif(reports: Sequence[tuple[Path, LintResult | None, str | None]]) -> dict[str, object]:
    """One SARIF log with one run for ``(path, result or None, file-level error or None)`` reports."""
    rules = list(RULES.values())
    rule_index = {rule.id: n for n, rule in enumerate(rules)}
    results: list[dict[str, object]] = []
    notifications: list[dict[str, object]] = []
    for path, result, error in reports:
        uri = _uri(path)
        if error:
            notifications.append(
                {"level": "error", "message": {"text": error}, "locations": [_location(uri, 1, 1)]}
            )
        for d in result.diagnostics if result else ():
            results.append(_result(uri, d, rule_index))
    driver = {
        "name": "themestudio",
        "version": _version(),
        "rules": [
            {
                "id": rule.id,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": rule.explanation},
                "help": {"text": rule.explanation},
                "defaultConfiguration": {"level": _LEVEL[rule.severity]},
            }
            for rule in rules
        ],
    }
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().resolve().as_uri() + "/"}},
                "invocations": [
                    {"executionSuccessful": not notifications, "toolExecutionNotifications": notifications}
                ],
                "results": results,
            }
        ],
    }
