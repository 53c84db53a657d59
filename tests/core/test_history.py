"""Local history: autosave journal (including after a real crash), drafts and versions."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from studio.core.history import History, HistoryError, sha256_text
from studio.core.manifest import Manifest, load_manifest
from tests.conftest import REPO

CSS_V1 = ":root {\n  --brand: #0af;\n}\n"
CSS_V2 = ":root {\n  --brand: #f0a;\n}\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "theme.css").write_text(CSS_V1, newline="")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "fonts").mkdir()
    (tmp_path / "assets" / "fonts" / "inter.woff2").write_bytes(b"\x00font")
    (tmp_path / "assets" / "logo.svg").write_text("<svg/>")
    return tmp_path


@pytest.fixture
def manifest() -> Manifest:
    return Manifest(id="0b9e3c1e-5d0f-4c4e-9a57-3c1f0e6a2b7d", name="Aurora", version="0.1.0")


# -- autosave ------------------------------------------------------------------------------------------


def test_nothing_pending_and_nothing_created_initially(root: Path) -> None:
    history = History(root)
    assert history.pending_autosave() is None
    assert history.drafts() == []
    assert history.versions() == []
    assert not (root / ".studio").exists()


def test_autosave_is_pending_until_discarded(root: Path) -> None:
    history = History(root)
    history.autosave(CSS_V2)
    assert History(root).pending_autosave() == CSS_V2  # a fresh instance, as after a restart
    history.discard_autosave()
    assert history.pending_autosave() is None
    history.discard_autosave()  # twice is fine


def test_autosave_equal_to_saved_file_is_not_pending(root: Path) -> None:
    history = History(root)
    history.autosave(CSS_V2)
    (root / "theme.css").write_text(CSS_V2, newline="")  # saved, but the journal was not cleared
    assert history.pending_autosave() is None


def test_autosave_keeps_exact_text(root: Path) -> None:
    text = ":root {\r\n  --brand: «x»;\r\n}"
    history = History(root)
    history.autosave(text)
    assert history.pending_autosave() == text


def test_pending_autosave_knows_whether_theme_css_changed_since(root: Path) -> None:
    history = History(root)
    history.autosave(CSS_V2)
    info = history.pending_autosave_info()
    assert info is not None
    assert info.based_on_current
    (root / "theme.css").write_text("/* edited elsewhere */\n")
    info = History(root).pending_autosave_info()
    assert info is not None
    assert info.css == CSS_V2
    assert not info.based_on_current


def test_damaged_journal_is_ignored(root: Path) -> None:
    history = History(root)
    history.autosave(CSS_V2)
    history.autosave_path.write_text("{not json")
    assert history.pending_autosave() is None
    history.autosave_path.write_text(json.dumps({"css": 3}))
    assert history.pending_autosave() is None


_AUTOSAVER = """
import sys, time
from pathlib import Path
from studio.core.history import History
h = History(Path(sys.argv[1]))
for i in range(50):
    h.autosave(f"/* keystroke {i} */\\n" + sys.argv[2])
print("autosaved", flush=True)
time.sleep(60)
"""


def test_pending_autosave_after_the_process_is_killed(root: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", _AUTOSAVER, str(root), CSS_V2],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "autosaved"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert History(root).pending_autosave() == "/* keystroke 49 */\n" + CSS_V2


def test_autosave_writes_one_small_file(root: Path) -> None:
    history = History(root)
    history.autosave(CSS_V2)
    assert sorted(p.name for p in (root / ".studio").iterdir()) == ["autosave.json"]
    record = json.loads((root / ".studio" / "autosave.json").read_text())
    assert record == {"saved_sha256": sha256_text(CSS_V1), "css": CSS_V2}


# -- drafts --------------------------------------------------------------------------------------------


def test_drafts_are_numbered_newest_first_and_readable(root: Path) -> None:
    history = History(root)
    before = datetime.now(UTC)
    first = history.save_draft(CSS_V1)
    second = history.save_draft(CSS_V2)
    assert (first.number, second.number) == (1, 2)
    assert second.sha256 == sha256_text(CSS_V2)
    assert before <= first.created_at <= second.created_at <= datetime.now(UTC)
    assert second.path.read_text() == CSS_V2
    assert History(root).drafts() == [second, first]
    assert history.read_draft(1) == CSS_V1
    assert history.read_draft(2) == CSS_V2


def test_identical_draft_is_skipped(root: Path) -> None:
    history = History(root)
    first = history.save_draft(CSS_V1)
    assert history.save_draft(CSS_V1) == first
    assert len(history.drafts()) == 1
    history.save_draft(CSS_V2)
    assert history.save_draft(CSS_V1).number == 3  # only the latest counts


def test_draft_keeps_crlf(root: Path) -> None:
    history = History(root)
    history.save_draft("a {\r\n}\r\n")
    assert history.read_draft(1) == "a {\r\n}\r\n"


def test_unknown_draft(root: Path) -> None:
    with pytest.raises(HistoryError, match="There is no draft 7"):
        History(root).read_draft(7)


def test_half_written_draft_folders_are_invisible(root: Path) -> None:
    history = History(root)
    history.save_draft(CSS_V1)
    # What a crash while assembling a draft leaves behind: a staging folder, and a folder without metadata.
    (history.drafts_dir / ".tmp-000002-abc").mkdir()
    (history.drafts_dir / "000002").mkdir()
    (history.drafts_dir / "000002" / "theme.css").write_text("partial")
    assert [d.number for d in history.drafts()] == [1]


def test_draft_number_taken_by_another_writer_moves_on(root: Path) -> None:
    a, b = History(root), History(root)
    first = a.save_draft(CSS_V1)
    b.save_draft(CSS_V2)  # another window saves draft 2 after `a` listed the drafts
    a.latest_draft = lambda: first  # type: ignore[method-assign]  # `a`'s stale view of the folder
    third = a.save_draft("/* third */")
    assert third.number == 3
    assert a.read_draft(2) == CSS_V2  # not overwritten
    assert a.read_draft(3) == "/* third */"


# -- versions ------------------------------------------------------------------------------------------


def test_create_list_read_versions(root: Path, manifest: Manifest) -> None:
    history = History(root)
    first = history.create_version(CSS_V1, manifest, version="0.1.0", changes="First release")
    second = history.create_version(CSS_V2, manifest, bump="minor", changes="Pink brand")
    third = history.create_version(CSS_V2 + "/**/", manifest, bump="patch", changes="Comment")
    assert [r.version for r in history.versions()] == ["0.2.1", "0.2.0", "0.1.0"]
    assert History(root).versions() == [third, second, first]
    assert second.sha256 == sha256_text(CSS_V2)
    assert history.read_version("0.1.0") == CSS_V1
    assert history.read_version("0.2.0") == CSS_V2
    assert history.read_version_manifest("0.2.0").version == "0.2.0"
    assert history.read_version_manifest("0.2.0").id == manifest.id


def test_version_snapshot_layout(root: Path, manifest: Manifest) -> None:
    history = History(root)
    history.create_version(CSS_V1, manifest, bump="major", changes="Stable")
    folder = root / ".studio" / "versions" / "1.0.0"
    assert sorted(p.name for p in folder.iterdir()) == [
        "assets.json",
        "theme.css",
        "theme.toml",
        "version.json",
    ]
    assert load_manifest(folder / "theme.toml").version == "1.0.0"
    assert history.version_assets("1.0.0") == [
        {"path": "fonts/inter.woff2", "size": 5, "sha256": sha256_text("\x00font")},
        {"path": "logo.svg", "size": 6, "sha256": sha256_text("<svg/>")},
    ]
    assert (root / "theme.toml").exists() is False  # updating theme.toml is the caller's job


def test_first_bump_starts_from_the_manifest_version(root: Path, manifest: Manifest) -> None:
    history = History(root)
    assert history.next_version(manifest, "patch") == "0.1.1"
    assert history.next_version(manifest, "major") == "1.0.0"
    history.create_version(CSS_V1, manifest, version="2.0.0", changes="x")
    assert history.next_version(manifest, "minor") == "2.1.0"  # then from the latest version


def test_changelog_lists_versions_newest_first(root: Path, manifest: Manifest) -> None:
    history = History(root)
    history.create_version(CSS_V1, manifest, version="1.0.0", changes="First release")
    history.create_version(CSS_V2, manifest, version="1.1.0", changes="- Pink brand\n- Rounder cards")
    text = (root / ".studio" / "CHANGELOG.md").read_text()
    today = datetime.now(UTC).date().isoformat()
    assert text == (
        f"# Changelog\n\n## 1.1.0 — {today}\n\n- Pink brand\n- Rounder cards\n\n"
        f"## 1.0.0 — {today}\n\nFirst release\n"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"version": "1.0.0"}, "Version 1.0.0 already exists"),
        ({"version": "1.0.0+build.5"}, "Version 1.0.0 already exists"),
        ({"version": "0.9.0"}, "0.9.0 is lower than the latest version 1.0.0"),
        ({"version": "1.0.0-rc.1"}, "1.0.0-rc.1 is lower than the latest version 1.0.0"),
        ({"version": "1.1"}, "'1.1' is not a semantic version"),
        ({}, "Choose either a version bump"),
        ({"version": "2.0.0", "bump": "patch"}, "Choose either a version bump"),
        ({"version": "2.0.0", "changes": "   "}, "change notes must not be empty"),
    ],
)
def test_refused_versions(root: Path, manifest: Manifest, kwargs: dict[str, str], message: str) -> None:
    history = History(root)
    history.create_version(CSS_V1, manifest, version="1.0.0", changes="First")
    kwargs = {"changes": "Something", **kwargs}
    with pytest.raises(HistoryError, match=re.escape(message)):
        history.create_version(CSS_V2, manifest, **kwargs)  # type: ignore[arg-type]
    assert [r.version for r in history.versions()] == ["1.0.0"]
    assert history.read_version("1.0.0") == CSS_V1


def test_prerelease_then_release(root: Path, manifest: Manifest) -> None:
    history = History(root)
    history.create_version(CSS_V1, manifest, version="1.0.0-rc.1", changes="Candidate")
    record = history.create_version(CSS_V2, manifest, bump="patch", changes="Final")
    assert record.version == "1.0.0"
    assert [r.version for r in history.versions()] == ["1.0.0", "1.0.0-rc.1"]


def test_unknown_version(root: Path) -> None:
    with pytest.raises(HistoryError, match=re.escape("There is no version 9.9.9")):
        History(root).read_version("9.9.9")


def test_restore_version_makes_a_new_draft(root: Path, manifest: Manifest) -> None:
    history = History(root)
    history.create_version(CSS_V2, manifest, version="1.0.0", changes="First")
    history.save_draft(CSS_V2)
    history.save_draft(CSS_V1)
    restored = history.restore_version("1.0.0")
    assert restored.number == 3
    assert history.read_draft(3) == CSS_V2
    assert history.restore_version("1.0.0") == restored  # already the latest draft
    assert (root / "theme.css").read_text() == CSS_V1  # theme.css is left alone
