"""`python -m routmy_tui`: the same as the `routmy-tui` command."""

import sys

from routmy_tui.cli import main

sys.exit(main())
