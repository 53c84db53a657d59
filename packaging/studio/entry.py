"""Entry point of the installed app (PyInstaller): one binary for the GUI, the headless commands and the
children the studio starts (``studio.adapters.python_command``)."""

import sys

from studio.adapters.python_command import RUN_MODULE, run_bundled_module

if sys.argv[1:2] == [RUN_MODULE]:
    sys.exit(run_bundled_module(sys.argv[2:]))

from studio.cli import main

sys.exit(main())
