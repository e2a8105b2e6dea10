"""The box looking after itself, and telling its owner.

What lives here watches the rest of the box from above (it may import calls'
and sms' neighbours below, never calls or sms themselves; the daemon wires
them together): delivering alerts (gateway/store/alerts.py raises them),
the SIMs' limits, credit and keep-alive, metrics, webhooks for integrators.
"""
