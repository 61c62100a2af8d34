"""``python -m contracts`` runs the CLI."""

import sys

from contracts.cli import main

sys.exit(main())
