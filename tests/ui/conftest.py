"""UI tests: QtWebEngine must be imported (with its flags) before pytest-qt creates the QApplication."""

from studio.ui.qt_env import prepare_qt_environment

prepare_qt_environment()
