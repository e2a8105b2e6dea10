"""The sample rates file the README's first steps import is a valid rates CSV."""
from __future__ import annotations

from pathlib import Path

from gateway.money.billing import parse_rates_csv

SAMPLE = Path(__file__).resolve().parent.parent / "config" / "rates-sample.csv"


def test_the_sample_rates_parse_and_cover_german_mobiles():
    rates = {rate.prefix: rate for rate in parse_rates_csv(SAMPLE.read_text())}
    assert len(rates) == len(SAMPLE.read_text().splitlines()) - 1     # every line, no header
    assert {"49", "4915", "4916", "4917"} <= set(rates)
