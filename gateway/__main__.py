"""`python -m gateway` is the `callbox` command."""
import sys

from gateway.cli import main

sys.exit(main())
