"""The house rules that hold for the whole code: imports point one way, modules stay short."""
from __future__ import annotations

from pathlib import Path
import subprocess
import sys

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("callbox", "gateway", "webui", "modems", "audio")
MAX_LINES = 420                 # the rule says ~400; a little slack, not a second module
# The virtual GSM network is test equipment, not the box: its size is its own affair.
NOT_COUNTED = (ROOT / "modems" / "sim",)

# Installed next to this Python by `pip install -e '.[test]'` (see pyproject.toml).
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_imports_keep_the_contracts():
    """callbox -> webui -> gateway -> {modems, audio}, the layers inside them, no circles:
    the contracts in pyproject.toml, as `make test` checks them."""
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_checker_notices_a_wrong_import(tmp_path):
    """A contract the code breaks makes lint-imports fail, so a pass above means something."""
    config = tmp_path / "contracts.toml"
    config.write_text('[tool.importlinter]\nroot_packages = ["modems"]\n\n'
                      '[[tool.importlinter.contracts]]\nname = "a driver without events"\n'
                      'type = "forbidden"\nsource_modules = ["modems.driver"]\n'
                      'forbidden_modules = ["modems.events"]\n')
    result = lint_imports(str(config))
    assert result.returncode != 0, result.stdout + result.stderr
    assert "modems.driver -> modems.events" in result.stdout, result.stdout


def test_no_module_is_long():
    """No module of the box passes MAX_LINES lines: one that grows past ~400 is two modules."""
    long = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if any(path.is_relative_to(folder) for folder in NOT_COUNTED):
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert not long, "modules over the limit: " + ", ".join(long)
