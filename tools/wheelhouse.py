"""Packs what this Python environment has installed as wheels, for an install without network.

    .venv/bin/python tools/wheelhouse.py DIR [--extra test]

writes into DIR one wheel of every distribution callbox needs (its dependencies, with the
extras named, followed to the end) plus pip and setuptools (the Makefile's setup upgrades
both and builds callbox with that setuptools), each packed from the files its installed
RECORD lists. Then, on a box without network (same CPU and Python 3.x as this one):

    PIP_NO_INDEX=1 PIP_FIND_LINKS=DIR make demo

tests/test_make_demo.py makes a clean clone's `make demo` install offline so. Console
scripts are left out (pip writes them anew from entry_points.txt); byte code too. Uses
pip's own `packaging` when the environment has no other: it runs in a bare venv.
"""
from __future__ import annotations

import argparse
import base64
import csv
import hashlib
from importlib import metadata
import io
import pathlib
import re
import sys
import zipfile

try:
    from packaging.requirements import Requirement
except ImportError:                                   # a venv with pip only
    from pip._vendor.packaging.requirements import Requirement

PROJECT = "callbox"
ALWAYS = ("pip", "setuptools")
LEFT_OUT = {"INSTALLER", "REQUESTED", "RECORD", "direct_url.json"}   # the installer writes these


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def needed(project: str, extras: list[str]) -> list[metadata.Distribution]:
    """Gives the installed distributions `project` needs with `extras`, and pip and
    setuptools; LookupError names one that is not installed."""
    found: dict[str, metadata.Distribution] = {}
    todo = [(project, set(extras))] + [(name, set()) for name in ALWAYS]
    while todo:
        name, wanted = todo.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise LookupError(f"{name} is not installed in {sys.prefix}") from None
        key = normalized(dist.metadata["Name"])
        if key in found and not wanted:
            continue
        found[key] = dist
        for text in dist.requires or []:
            requirement = Requirement(text)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": extra})
                                     for extra in wanted | {""}):
                todo.append((requirement.name, set(requirement.extras)))
    found.pop(normalized(project), None)          # the checkout itself is built, not packed
    return sorted(found.values(), key=lambda dist: normalized(dist.metadata["Name"]))


def wheel_name(dist: metadata.Distribution) -> str:
    """Gives the wheel's file name from its name, version and the tags its WHEEL lists."""
    tags = [line.split(":", 1)[1].strip() for line in (dist.read_text("WHEEL") or "")
            .splitlines() if line.startswith("Tag:")]
    if not tags:
        raise LookupError(f"{dist.metadata['Name']} was not installed from a wheel")
    parts = zip(*(tag.split("-") for tag in tags))
    tag = "-".join(".".join(dict.fromkeys(part)) for part in parts)
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"]).lower()
    return f"{name}-{dist.version}-{tag}.whl"


def _record_line(path: str, data: bytes) -> list[str]:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return [path, f"sha256={digest}", str(len(data))]


def pack(dist: metadata.Distribution, folder: pathlib.Path) -> pathlib.Path:
    """Writes `dist` as a wheel into `folder`; gives its path."""
    info = next(path for path in dist.files if path.parent.name.endswith(".dist-info")).parent
    scripts = {entry.name for entry in dist.entry_points
               if entry.group in ("console_scripts", "gui_scripts")}
    data_dir = str(info).removesuffix(".dist-info") + ".data"
    target = folder / wheel_name(dist)
    record = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as wheel:
        for path in dist.files:
            parts = path.parts
            if "__pycache__" in parts or (path.parent == info and path.name in LEFT_OUT):
                continue
            if parts[0] == "..":
                inside = pathlib.PurePosixPath(*[p for p in parts if p != ".."])
                if inside.parts[0] == "bin":
                    if inside.name in scripts:
                        continue
                    name = f"{data_dir}/scripts/{inside.name}"
                else:
                    name = f"{data_dir}/data/{inside}"
            else:
                name = str(path)
            source = pathlib.Path(dist.locate_file(path))
            if not source.is_file():
                continue
            data = source.read_bytes()
            if name.startswith(f"{data_dir}/scripts/") and data.startswith(b"#!"):
                data = b"#!python" + data[data.index(b"\n"):]    # pip sets the interpreter
            wheel.writestr(name, data)
            record.append(_record_line(name, data))
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(record + [[f"{info}/RECORD", "", ""]])
        wheel.writestr(f"{info}/RECORD", text.getvalue())
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/wheelhouse.py", description=__doc__.split(
        "\n")[0])
    parser.add_argument("folder", type=pathlib.Path)
    parser.add_argument("--extra", action="append", default=[],
                        help="an extra of callbox's to include (repeatable), e.g. test")
    args = parser.parse_args(argv)
    try:
        dists = needed(PROJECT, args.extra)
        args.folder.mkdir(parents=True, exist_ok=True)
        for dist in dists:
            pack(dist, args.folder)
    except LookupError as error:
        print(f"wheelhouse: {error}", file=sys.stderr)
        return 1
    print(f"{len(dists)} wheels in {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
