"""`callbox dtmf FILE.wav`: the DTMF keys the box's in-band detector hears in a recording.

For the day the box "does not hear" a user's keys: record the call (or let
the user send a recording) and run the very detector a call uses on it.
"""
from __future__ import annotations

import argparse
import sys


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "dtmf", help="list the DTMF keys heard in a WAV file",
        description="Run the box's in-band DTMF detector on a WAV file (PCM, any rate, "
                    "any number of channels) and print one line 'DTMF: KEY' per key press.")
    parser.add_argument("file", metavar="FILE", help="WAV file to listen to")
    parser.add_argument("--verbose", action="store_true",
                        help="also print the file's format and when each key starts")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Prints the keys heard in args.file; gives 0, or 1 if the file cannot be read."""
    # Imported here, not at the top (slow): numpy and the detector take about 0.2 s,
    # which every other command would pay at start-up.
    from audio.dtmf import detect_presses
    from audio.dtmf_wav import WavError, read_wav_8k, wav_summary

    try:
        pcm = read_wav_8k(args.file)
    except WavError as error:
        print(f"callbox dtmf: {error}", file=sys.stderr)
        return 1
    presses = detect_presses(pcm)
    if args.verbose:
        print(wav_summary(args.file))
    for press in presses:
        if args.verbose:
            print(f"DTMF: {press.key}  at {press.seconds:.3f} s")
        else:
            print(f"DTMF: {press.key}")
    if args.verbose:
        print(f"{len(presses)} key(s) heard")
    return 0
