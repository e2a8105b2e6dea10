"""The composition root: the `callbox` command, the daemon, the service and the demo."""
import gateway  # noqa: F401  first: peewee is loaded without psycopg (gateway/store/driverless.py)
