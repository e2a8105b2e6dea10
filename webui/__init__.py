"""The web UI: pages, JSON API and live events; no telephony logic."""
import gateway  # noqa: F401  first: peewee is loaded without psycopg (gateway/store/driverless.py)
