"""``themestudio tokens import|export`` end to end on a starter theme."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.cli import main
from studio.core.starters import create_theme
from studio.core.theme import Theme

DATA = Path(__file__).resolve().parents[1] / "data" / "tokens"


@pytest.fixture
def theme(tmp_path: Path) -> Theme:
    return create_theme(tmp_path / "acme", "light", "Acme")


def test_import_dry_run_then_import_then_export(
    theme: Theme, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = theme.read_css()
    resolver = str(DATA / "resolver" / "tokens.resolver.json")
    assert main(["tokens", "import", resolver, "--into", str(theme.root), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "[base: theme=light; dark: theme=dark]" in out
    assert "~ [dark] --color-bg: #0f141b → var(--palette-night)" in out
    assert theme.read_css() == before
    assert main(["tokens", "import", resolver, "--into", str(theme.root), "--mode", "density=compact"]) == 0
    assert "--space-stack: var(--space-1);" in theme.read_css()
    assert (theme.root / "tokens.meta.json").is_file()
    target = tmp_path / "ts"
    assert main(["tokens", "export", str(theme.root), "--format", "tokens-studio", "--out", str(target)]) == 0
    assert json.loads((target / "$metadata.json").read_text()) == {"tokenSetOrder": ["base", "dark"]}
    capsys.readouterr()
    assert main(["tokens", "export", str(theme.root), "--format", "dtcg"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["color"]["bg"]["$value"] == "{palette.white}"
    assert doc["palette"]["blue-500"]["$value"] == {"colorSpace": "oklch", "components": [0.55, 0.2, 262]}


def test_bad_files_exit_1_with_clear_errors_and_write_nothing(
    theme: Theme, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"a": {"$type": "dimension", "$value": {"value": "1", "unit": "px"}}}))
    before = theme.read_css()
    assert main(["tokens", "import", str(bad), "--into", str(theme.root)]) == 1
    err = capsys.readouterr().err
    assert "error: #/a/$value/value: expected a number, got '1'" in err
    assert "Traceback" not in err
    assert theme.read_css() == before
    (tmp_path / "broken.json").write_text("{")
    assert main(["tokens", "import", str(tmp_path / "broken.json"), "--into", str(theme.root)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert main(["tokens", "import", str(bad), "--into", str(theme.root), "--mode", "nonsense"]) == 2
    assert "expected MODIFIER=CONTEXT" in capsys.readouterr().err
    resolver = str(DATA / "resolver" / "tokens.resolver.json")
    assert main(["tokens", "import", resolver, "--into", str(theme.root), "--mode", "theme=blue:dark"]) == 1
    assert "invalid context 'blue' for modifier 'theme'" in capsys.readouterr().err
