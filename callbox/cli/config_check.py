"""`callbox config check [FILE]`: validate the configuration, print it with defaults."""
from __future__ import annotations

import argparse
import sys

from audio import prompts
from gateway.config import default_path, load
from gateway.config.paths import check_folders


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("config", help="check the configuration file",
                                   description="Work with the configuration file.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check", help="validate a configuration file and print the effective configuration",
        description="Validate the file and the folders it names (state_dir must be a folder "
        "this user can write); print the configuration with every default filled "
        "in (secrets masked) and exit 0, or print the mistake and exit 2 (also when "
        "voice prompts of the configured language are missing).")
    check.add_argument("file", nargs="?", metavar="FILE",
                       help="configuration file (default: $CALLBOX_CONFIG or "
                       "/etc/callbox/callbox.toml)")
    check.set_defaults(func=check_config)


def check_config(args: argparse.Namespace) -> int:
    config = load(args.file or default_path())
    check_folders(config)
    sys.stdout.write(config.effective_toml())
    # A box without its prompts answers calls in silence: as bad as a wrong setting.
    missing_prompts = prompts.check(config.callback.language)
    if missing_prompts:
        print(f"{config.path}: language {config.callback.language}: {missing_prompts}",
              file=sys.stderr)
        return 2
    print(f"{config.path}: valid, {len(config.modems)} modem(s)", file=sys.stderr)
    return 0
