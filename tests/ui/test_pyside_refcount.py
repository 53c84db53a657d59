"""Guard against the PySide6 reference-count bug (DESIGN section 8).

PySide6 6.12.0 on Python 3.11 drops a reference to ``None`` on every call of a Qt method that returns nothing;
a syntax highlighter then aborts the process with ``Fatal Python error: none_dealloc`` within seconds. This
runs ~100,000 such calls in a child process, so an abort fails this test instead of killing pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from tests.conftest import REPO

_CHILD = textwrap.dedent(
    """
    import sys
    from PySide6.QtGui import QSyntaxHighlighter, QTextCharFormat
    from PySide6.QtWidgets import QApplication, QPlainTextEdit, QWidget

    app = QApplication([])
    before = sys.getrefcount(None)

    class Stress(QSyntaxHighlighter):
        calls = 0

        def highlightBlock(self, text):
            fmt = QTextCharFormat()
            for i in range(len(text)):
                self.setFormat(i, 1, fmt)  # returns None
                Stress.calls += 1
            self.setCurrentBlockState(0)  # returns None
            Stress.calls += 1

    edit = QPlainTextEdit()
    highlighter = Stress(edit.document())
    edit.setPlainText("a { color: red; }\\n" * 5000)  # 5000 lines x (17 characters + 1 state)
    widget = QWidget()
    for i in range(30_000):
        widget.setToolTip("tip")  # returns None
    calls = Stress.calls + 30_000
    drift = sys.getrefcount(None) - before
    print(f"calls={calls} none_refcount_drift={drift}")
    """
)


def test_100k_none_returning_qt_calls_keep_the_process_alive() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, timeout=120,
                            cwd=REPO, env=env, check=False)
    assert result.returncode == 0, f"child died ({result.returncode}): {result.stderr[-2000:]}"
    fields = dict(item.split("=") for item in result.stdout.split())
    assert int(fields["calls"]) >= 100_000
    # On the broken build the count falls by one per call; a healthy build stays within noise (on
    # Python >= 3.12 None is immortal and the count does not move at all).
    assert abs(int(fields["none_refcount_drift"])) < 1_000, result.stdout
