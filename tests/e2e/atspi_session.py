"""What a screen reader gets from the studio: a real X display, window manager and AT-SPI bus.

Run by ``test_screen_reader.py`` with the system Python (it has ``gi``/Atspi) inside ``dbus-run-session``:
starts Xvfb, openbox and the AT-SPI bus, then the studio (``--studio-python``) on a theme folder, drives it
with xdotool like a keyboard-only user and prints, as one JSON line, what Orca would read: the focused
object after each key, every focusable object without a name, and the announcements received.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi, GLib  # noqa: E402  (after require_version, as gi wants)

DISPLAY = ":97"


def wait_for(predicate: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        pump(0.1)
    raise SystemExit(f"timed out waiting for {what}")


def pump(seconds: float) -> None:
    """Let AT-SPI events arrive (the listener runs in this GLib main context)."""
    context = GLib.MainContext.default()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        while context.pending():
            context.iteration(False)
        time.sleep(0.02)


def find_app(name_part: str) -> Any:
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is not None and name_part.lower() in (app.get_name() or "").lower():
            return app
    return None


def walk(node: Any, depth: int = 0) -> Any:
    yield node
    if depth > 40:
        return
    try:
        count = node.get_child_count()
    except GLib.Error:
        return
    for i in range(count):
        child = node.get_child_at_index(i)
        if child is not None:
            yield from walk(child, depth + 1)


def spoken_name(node: Any) -> str:
    """The name, else the label it is labelled by (what Orca reads for a field with a buddy label)."""
    for relation in node.get_relation_set() or []:
        if relation.get_relation_type() == Atspi.RelationType.LABELLED_BY and relation.get_n_targets():
            label = (relation.get_target(0).get_name() or "").strip()
            if label:
                return label
    return (node.get_name() or "").strip()


def describe(node: Any) -> dict[str, str]:
    return {"role": node.get_role_name(), "name": (node.get_name() or "").strip(),
            "spoken": spoken_name(node), "description": (node.get_description() or "").strip()}


class FocusTracker:
    """The object that last gained focus, as Orca learns it: from ``object:state-changed:focused`` events."""

    def __init__(self, app_name: str) -> None:
        self.app_name = app_name
        self.current: dict[str, str] | None = None
        self.listener = Atspi.EventListener.new(self._on_event)
        self.listener.register("object:state-changed:focused")

    def _on_event(self, event: Any) -> None:
        source = event.source
        if event.detail1 == 1 and source is not None and source.get_application().get_name() == self.app_name:
            self.current = describe(source)


def key(*keys: str) -> None:
    env = {**os.environ, "DISPLAY": DISPLAY}
    subprocess.run(["xdotool", "key", "--clearmodifiers", *keys], check=True, env=env)
    pump(0.6)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--studio-python", required=True)
    parser.add_argument("--theme", required=True)
    parser.add_argument("--home", required=True)
    args = parser.parse_args()

    env = {**os.environ, "DISPLAY": DISPLAY}
    xvfb = subprocess.Popen(["Xvfb", DISPLAY, "-screen", "0", "1600x1000x24", "-nolisten", "tcp"])
    procs = [xvfb]
    try:
        wait_for(lambda: Path(f"/tmp/.X11-unix/X{DISPLAY[1:]}").exists(), 10, "Xvfb")
        procs.append(subprocess.Popen(["openbox"], env=env, stderr=subprocess.DEVNULL))
        procs.append(subprocess.Popen(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"], env=env))
        pump(1.0)
        Atspi.init()
        announcements: list[str] = []

        def on_event(event: Any) -> None:
            announcements.append(str(event.any_data))

        listener = Atspi.EventListener.new(on_event)
        listener.register("object:announcement")
        studio_env = {
            **env,
            "QT_QPA_PLATFORM": "xcb",
            "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",
            "QTWEBENGINE_DISABLE_SANDBOX": "1",
            "THEMESTUDIO_LOCAL_BACKEND": "0",
            "THEMESTUDIO_CONFIG_DIR": f"{args.home}/config",
            "THEMESTUDIO_DATA_DIR": f"{args.home}/data",
            "HOME": args.home,
        }
        studio = subprocess.Popen([args.studio_python, "-m", "studio", args.theme], env=studio_env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(studio)
        app = wait_for(lambda: find_app("themesystem"), 60, "the studio on the AT-SPI bus")
        focus = FocusTracker(app.get_name())
        pump(3.0)  # the first preview paints
        key("alt+2")  # focus moves (the editor may have had it since before the tracker listened) ...
        key("alt+1")  # ... and comes back to the editor
        result: dict[str, Any] = {"app": app.get_name(), "start": focus.current, "after": {}}
        for label, keys in (("F6", ["F6"]), ("F6 F6", ["F6"]), ("F6 F6 F6", ["F6"]), ("Alt+1", ["alt+1"]),
                            ("Ctrl+F", ["ctrl+f"]), ("Ctrl+F Tab", ["Tab"]), ("Escape", ["Escape"])):
            key(*keys)
            result["after"][label] = focus.current
        subprocess.run(["xdotool", "type", "--delay", "30", "a {"], check=True, env=env)
        pump(2.0)
        unnamed = []
        for node in walk(app):
            states = node.get_state_set()
            if states.contains(Atspi.StateType.FOCUSABLE) and states.contains(Atspi.StateType.SHOWING) \
                    and not spoken_name(node) and node.get_role() not in (Atspi.Role.MENU_ITEM,):
                unnamed.append(describe(node))
        result["unnamed"] = unnamed
        result["announcements"] = announcements
        print(json.dumps(result), flush=True)
    finally:
        for proc in reversed(procs):  # SIGTERM: the bus launcher then stops the bus daemon it started
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


if __name__ == "__main__":
    sys.exit(main())
