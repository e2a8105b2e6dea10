"""Latency figures for the benchmarks: a p99 only where the samples can carry one.

With n samples the 99th percentile (nearest rank) is the largest sample
whenever n < 100, and rests on a single sample up to n = 199. Below
P99_MIN_SAMPLES a figure says "max" instead, and every figure says its n.
"""
from __future__ import annotations

import math
import statistics

P99_MIN_SAMPLES = 200      # at least two samples lie above the p99


def percentile(values: list[float], share: float) -> float:
    """Gives the nearest-rank percentile (`share` 0.99 for p99) of non-empty `values`."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def spread(values: list[float], scale: float = 1000.0, unit: str = "ms",
           digits: int = 1) -> str:
    """Gives "median X ms, p99 Y ms (n=N)", or "median X ms, max Y ms (n=N)" when N is too
    small for a p99; `scale` turns the values (seconds) into `unit`."""
    if not values:
        return "no samples (n=0)"
    median = statistics.median(values) * scale
    if len(values) >= P99_MIN_SAMPLES:
        tail = f"p99 {percentile(values, 0.99) * scale:.{digits}f} {unit}"
    else:
        tail = f"max {max(values) * scale:.{digits}f} {unit}"
    return f"median {median:.{digits}f} {unit}, {tail} (n={len(values)})"
