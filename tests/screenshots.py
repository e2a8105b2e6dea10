"""Screenshots the browser tests save: in tests/artifacts/screenshots/ (not committed), or
where CALLBOX_SCREENSHOTS says: `make screenshots` renews the README's in docs/screenshots/."""
from __future__ import annotations

import os
from pathlib import Path

SCREENSHOTS = Path(os.environ.get("CALLBOX_SCREENSHOTS")
                   or Path(__file__).parent / "artifacts" / "screenshots").resolve()
LARGEST = 200_000          # bytes a committed screenshot may take


def shot(page, name: str) -> Path:
    """Saves a whole-page screenshot as PNG, or as JPEG when the PNG would be too large to
    commit; gives its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True, type="png")
    if path.stat().st_size > LARGEST:
        path.unlink()
        path = path.with_suffix(".jpg")
        page.screenshot(path=str(path), full_page=True, type="jpeg", quality=70)
    assert path.stat().st_size <= LARGEST, f"{path.name} is too large to commit"
    return path
