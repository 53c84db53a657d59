"""Qt-free core shared by the studio UI, the CLI and the backend (never imports PySide6)."""
