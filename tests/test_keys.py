"""One key press heard twice (modem URC and in-band detector) counts once; '11' stays two."""
from gateway.calls.flows.session import KeyMerger


def accepted(events):
    merger = KeyMerger()
    return [digit for digit, source, at in events if merger.accept(digit, source, at)]


def test_same_press_from_both_sources_counts_once():
    assert accepted([("5", "modem", 0.00), ("5", "audio", 0.05)]) == ["5"]
    assert accepted([("5", "audio", 0.00), ("5", "modem", 0.03)]) == ["5"]


def test_fast_double_key_stays_two_keys():
    events = [("1", "modem", 0.00), ("1", "audio", 0.05), ("1", "modem", 0.14),
              ("1", "audio", 0.19)]
    assert accepted(events) == ["1", "1"]


def test_one_source_alone_passes_every_key():
    assert accepted([("1", "audio", 0.0), ("1", "audio", 0.14), ("#", "audio", 0.28)]) == \
        ["1", "1", "#"]


def test_far_apart_presses_are_not_merged():
    assert accepted([("7", "modem", 0.0), ("7", "audio", 2.0)]) == ["7", "7"]
