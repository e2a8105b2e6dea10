"""Screenshots the browser tests save for the README, in docs/screenshots/ (committed)."""
from __future__ import annotations

from pathlib import Path

SCREENSHOTS = Path(__file__).parent.parent / "docs" / "screenshots"
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
