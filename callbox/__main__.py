"""`python -m callbox` is the `callbox` command."""
import sys

from callbox.cli import main

sys.exit(main())
