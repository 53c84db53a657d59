"""Atomic writes on real file systems: full disk, read-only mount, permission denied, and a kill mid-write."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.core.atomic import (
    StorageError,
    atomic_write_bytes,
    atomic_write_text,
    remove_stale_temp_files,
)
from tests.conftest import REPO


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@contextlib.contextmanager
def mounted_tmpfs(mount_point: Path, size: str = "64k") -> Iterator[Path]:
    """A real tiny tmpfs at ``mount_point``, so the disk can really fill up; skips without root."""
    mount_point.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN): {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    with mounted_tmpfs(tmp_path / "mnt") as mount_point:
        yield mount_point


def test_write_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "theme.css"
    atomic_write_bytes(target, b"one")
    assert target.read_bytes() == b"one"
    atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert _leftovers(tmp_path) == []


def test_text_keeps_its_own_newlines_and_is_utf8(tmp_path: Path) -> None:
    target = tmp_path / "theme.css"
    text = ":root {\r\n  --brand: «blue»;\r\n}\n/* mixed \r */"
    atomic_write_text(target, text)
    assert target.read_bytes() == text.encode("utf-8")


def test_new_file_gets_umask_mode_and_existing_mode_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "theme.css"
    old_umask = os.umask(0o022)
    try:
        atomic_write_text(target, "a")
    finally:
        os.umask(old_umask)
    assert target.stat().st_mode & 0o777 == 0o644
    target.chmod(0o600)
    atomic_write_text(target, "b")
    assert target.stat().st_mode & 0o777 == 0o600


def test_full_disk_reports_and_keeps_previous_file(tiny_tmpfs: Path) -> None:
    target = tiny_tmpfs / "theme.css"
    original = b":root { --brand: #0af; }\n" * 40
    atomic_write_bytes(target, original)
    with pytest.raises(StorageError) as info:
        atomic_write_bytes(target, b"x" * 200_000)
    assert str(info.value) == (
        f"Could not save {target}: the disk is full. Free some space and save again; "
        "your previous file is intact."
    )
    assert info.value.path == target
    assert isinstance(info.value, OSError)
    assert target.read_bytes() == original
    assert _leftovers(tiny_tmpfs) == []  # the partial temporary file was removed


def test_read_only_mount_reports_and_keeps_previous_file(tiny_tmpfs: Path) -> None:
    target = tiny_tmpfs / "theme.css"
    atomic_write_text(target, "before\n")
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_tmpfs)], check=True)
    try:
        with pytest.raises(StorageError) as info:
            atomic_write_text(target, "after\n")
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(tiny_tmpfs)], check=True)
    assert "the folder is read-only" in str(info.value)
    assert "Save the theme to a writable folder" in str(info.value)
    assert target.read_text() == "before\n"


def test_permission_denied_for_another_user() -> None:
    """Root ignores folder permissions: a forked child drops to ``nobody`` and writes into a root folder."""
    if os.geteuid() != 0:
        pytest.skip("needs root to switch to another user")
    folder = Path(tempfile.mkdtemp(prefix="atomic-perm-"))
    target = folder / "theme.css"
    try:
        folder.chmod(0o755)  # nobody may enter and read, not write
        target.write_text("mine\n")
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: report the message through the pipe, never return into pytest
            status = 1
            try:
                os.setgid(65534)
                os.setuid(65534)
                try:
                    atomic_write_text(target, "theirs")
                except StorageError as exc:
                    os.write(write_end, str(exc).encode())
                    status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:
            message = pipe.read().decode()
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, message
        assert message == (
            f"Could not save {target}: permission denied. Check the folder's permissions or "
            "save the theme elsewhere; your previous file is intact."
        )
        assert target.read_text() == "mine\n"
    finally:
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()


def test_other_failures_get_generic_advice_and_clean_up(tmp_path: Path) -> None:
    target = tmp_path / "theme.css"
    target.mkdir()  # replacing a folder with a file fails (EISDIR)
    with pytest.raises(StorageError) as info:
        atomic_write_text(target, "x")
    assert str(info.value).startswith(f"Could not save {target}: ")
    assert "Check the disk and the folder, then save again" in str(info.value)
    assert _leftovers(tmp_path) == []


def test_missing_folder_says_nothing_was_written(tmp_path: Path) -> None:
    target = tmp_path / "gone" / "theme.css"
    with pytest.raises(StorageError) as info:
        atomic_write_text(target, "x")
    assert "the folder does not exist" in str(info.value)
    assert str(info.value).endswith("nothing was written.")


_WRITER = """
import sys
from pathlib import Path
from studio.core.atomic import atomic_write_bytes
target = Path(sys.argv[1])
a, b = b"A" * 300_000, b"B" * 300_000
atomic_write_bytes(target, a)
print("ready", flush=True)
i = 0
while True:
    atomic_write_bytes(target, b if i % 2 == 0 else a)
    i += 1
"""


def test_kill_during_writes_leaves_old_or_new_file_never_a_mix(tmp_path: Path) -> None:
    target = tmp_path / "theme.css"
    allowed = {b"A" * 300_000, b"B" * 300_000}
    for delay in (0.0, 0.013, 0.031, 0.057, 0.11):
        proc = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(target)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        assert proc.returncode == -signal.SIGKILL
        assert target.read_bytes() in allowed


def test_stale_temp_files_are_removed_and_fresh_ones_kept(tmp_path: Path) -> None:
    stale = tmp_path / ".theme.css.0a1b.tmp"
    fresh = tmp_path / ".theme.css.2c3d.tmp"
    other = tmp_path / "x.tmp"  # not ours: no leading dot
    for p in (stale, fresh, other):
        p.write_text("partial")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    assert remove_stale_temp_files(tmp_path) == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".theme.css.2c3d.tmp", "x.tmp"]
    assert remove_stale_temp_files(tmp_path / "missing") == []
