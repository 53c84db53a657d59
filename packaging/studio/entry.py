"""Entry point of the installed app (PyInstaller): one binary for the GUI, the headless commands and the
bundled backend (``studio.adapters.python_command``)."""

import sys

from studio.cli import main

sys.exit(main())
