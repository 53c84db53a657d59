"""Try the built studio bundle the way a user would: unpacked outside the repository, with no venv on PATH.

Run by ``packaging/studio/build --check`` inside ``dbus-run-session`` (a private Secret Service for the local
profile's tokens). Checks, each on the bundle's own binary:

1. ``lint`` (a clean starter exits 0, a theme with a remote ``@import`` exits 1) and ``preview`` (a PNG);
2. the GUI starts offscreen and paints the preview gallery;
3. the GUI with its local sandbox (SeaweedFS beside the binary, the bundled backend run by the binary itself,
   embedded PostgreSQL/Redis when none answer), then ``publish --profile local`` from the bundle's CLI,
   and the published stylesheet read back anonymously. As root, inside an empty network namespace
   (``unshare -n``): nothing answers on 5432/6379 there, so the embedded servers are what runs.

The last line is ``BUNDLE PASS ...`` or ``BUNDLE FAIL: ...``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import httpx


class CheckError(Exception):
    """One check failed; the message says which."""


def run(cmd: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False, cwd="/")


def user_env(home: Path) -> dict[str, str]:
    """A user's environment: no venv, no repository, own config/data; the D-Bus session of the check."""
    keep = ("DBUS_SESSION_BUS_ADDRESS", "LANG", "TZ")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(
        PATH="/usr/local/bin:/usr/bin:/bin",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_RUNTIME_DIR=str(home / "run"),
        QT_QPA_PLATFORM="offscreen",
    )
    (home / "run").mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.geteuid() == 0:
        env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"  # Chromium's sandbox refuses root (DESIGN section 8)
    return env


def make_theme(binary: str, folder: Path, env: dict[str, str]) -> Path:
    """A theme from the bundled Light starter, copied out of the bundle's resources."""
    starter = Path(binary).parent / "_internal" / "resources" / "themes" / "light"
    shutil.copytree(starter, folder)
    return folder


def check_headless(binary: str, work: Path, env: dict[str, str]) -> None:
    theme = make_theme(binary, work / "clean", env)
    result = run([binary, "lint", str(theme)], env)
    if result.returncode != 0:
        raise CheckError(f"lint of a starter exited {result.returncode}: {result.stdout}{result.stderr}")
    bad = make_theme(binary, work / "bad", env)
    css = bad / "theme.css"
    css.write_text('@import url("https://evil.example/x.css");\n' + css.read_text(encoding="utf-8"))
    result = run([binary, "lint", str(bad)], env)
    if result.returncode != 1 or "remote-import" not in result.stdout:
        raise CheckError(f"lint of a remote @import exited {result.returncode}: {result.stdout}")
    png = work / "gallery.png"
    result = run([binary, "preview", str(theme), "--out", str(png), "--width", "800"], env)
    if result.returncode != 0 or not png.is_file() or png.read_bytes()[:8] != b"\x89PNG\r\n\x1a\n":
        raise CheckError(f"preview exited {result.returncode}: {result.stderr[-600:]}")


def check_gui_paints(binary: str, env: dict[str, str]) -> float:
    started = time.monotonic()
    gui_env = {**env, "THEMESTUDIO_EXIT_AFTER_PAINT": "1", "THEMESTUDIO_LOCAL_BACKEND": "0"}
    result = run([binary], gui_env, timeout=90)
    if "first-preview-painted" not in result.stdout:
        raise CheckError(f"the GUI did not paint its preview ({result.returncode}): {result.stderr[-800:]}")
    return time.monotonic() - started


def check_local_publish(binary: str, work: Path, env: dict[str, str]) -> str:
    """The GUI with its sandbox and bundled backend, then `publish --profile local` from the bundle."""
    data = Path(env["XDG_DATA_HOME"])  # the app keeps its data in a folder of its own below
    gui = subprocess.Popen(
        [binary], env=env, cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        record = next(iter(data.glob("**/sandbox/backend.json")), None)
        deadline = time.monotonic() + 180  # embedded PostgreSQL's first initdb takes a while
        while record is None:
            if gui.poll() is not None or time.monotonic() > deadline:
                logged = next(iter(data.glob("**/logs/studio.log")), None)
                detail = logged.read_text(encoding="utf-8")[-1500:] if logged else "(no studio log)"
                raise CheckError(f"the studio's sandbox and backend never came up: {detail}")
            time.sleep(0.5)
            record = next(iter(data.glob("**/sandbox/backend.json")), None)
        theme = make_theme(binary, work / "to-publish", env)
        result = run(
            [binary, "publish", str(theme), "--profile", "local", "--version", "1.0.0",
             "--changes", "From the installed app", "--no-preview"],
            env,
            timeout=180,
        )  # fmt: skip
        if result.returncode != 0:
            output = (result.stdout + result.stderr)[-2000:]
            raise CheckError(f"publish --profile local exited {result.returncode}: {output}")
        urls = [line.split(None, 1)[1] for line in result.stdout.splitlines() if line.startswith("CSS:")]
        if not urls:
            raise CheckError(f"publish printed no CSS URL: {result.stdout}")
        served = httpx.get(urls[0], timeout=10)
        if served.status_code != 200 or served.content != (theme / "theme.css").read_bytes():
            raise CheckError(f"the published stylesheet is not served as published ({served.status_code})")
        return json.loads(record.read_text())["url"]
    finally:
        os.killpg(gui.pid, signal.SIGTERM)
        try:
            gui.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(gui.pid, signal.SIGKILL)
            gui.wait()


def main() -> int:
    tarball = Path(sys.argv[1]).resolve()
    if os.geteuid() == 0 and shutil.which("unshare") and not os.environ.get("BUNDLE_CHECK_IN_NETNS"):
        # Again inside an empty network namespace (loopback only): no PostgreSQL/Redis answer there.
        cmd = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$0" "$@"', sys.executable, *sys.argv]
        return subprocess.run(cmd, env={**os.environ, "BUNDLE_CHECK_IN_NETNS": "1"}, check=False).returncode
    work = Path(tempfile.mkdtemp(prefix="themesystem-bundle-check-"))
    # As root, embedded PostgreSQL runs as its own user (pgserver): it must reach the app and the data folder,
    # as it would under /opt and /home.
    work.chmod(0o755)
    try:
        with tarfile.open(tarball) as archive:
            archive.extractall(work / "opt", filter="tar")
        binary = str(work / "opt" / "themesystem-studio" / "themesystem-studio")
        home = work / "home"
        env = user_env(home)
        unlock = subprocess.run(
            ["gnome-keyring-daemon", "--unlock", "--components=secrets"],
            input=b"pw", capture_output=True, env={**os.environ, "HOME": str(home)}, check=False,
        )  # fmt: skip
        if unlock.returncode != 0:
            raise CheckError("could not start gnome-keyring for the local profile's tokens")
        check_headless(binary, work, env)
        paint_s = check_gui_paints(binary, env)
        backend = check_local_publish(binary, work, env)
    except (CheckError, OSError, subprocess.SubprocessError, httpx.HTTPError) as exc:
        print(f"BUNDLE FAIL: {exc}", flush=True)
        return 1
    finally:
        # Whatever the studio started and did not stop (embedded PostgreSQL runs as its own user) lives in the
        # check's folder: stop it before removing the folder.
        subprocess.run(["pkill", "-9", "-f", str(work)], check=False)
        shutil.rmtree(work, ignore_errors=True)
    print(f"BUNDLE PASS: lint, preview, GUI painted in {paint_s:.1f} s, published to local via {backend}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
