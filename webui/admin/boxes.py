"""Admin page /admin/boxes: every box sharing the database, online or offline."""
from __future__ import annotations

import bottle

from gateway.store.boxes import OFFLINE_AFTER, list_boxes


def silence_text(seconds: float) -> str:
    """Gives how long ago a heartbeat was, in plain words: '12 s', '5 min', '3 h', '2 d'."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= 2 * size:
            return f"{int(seconds // size)} {unit}"
    return f"{int(seconds)} s"


def install(app: bottle.Bottle, web) -> None:
    @app.get("/admin/boxes")
    def boxes_page():
        session = web.admin_required()
        return web.render("boxes", session, boxes=list_boxes(web.now()),
                          this_box=web.config.gateway.box, offline_after=int(OFFLINE_AFTER),
                          silence_text=silence_text)
