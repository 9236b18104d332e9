"""The oldest versions requirements.txt allows are the ones we test: a second environment gets
exactly the lower bounds (constraints/minimum.txt) and the suite runs there too."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.browser import IN_CI, ROOT

MIN_VENV = ROOT / ".venv-min"
INSIDE = "STREAMING_LAB_MINIMUM_RUN"
REQUIREMENT = re.compile(r"^([A-Za-z0-9_.-]+)>=([0-9][0-9A-Za-z.]*)")


def lower_bounds(path: Path) -> dict[str, str]:
    bounds = {}
    for line in path.read_text().splitlines():
        if match := REQUIREMENT.match(line.strip()):
            bounds[match.group(1).lower()] = match.group(2)
    return bounds


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        name, _, version = line.split("#")[0].strip().partition("==")
        if version:
            found[name.lower()] = version
    return found


def same_version(a: str, b: str) -> bool:
    """`1.8` and `1.8.0` are one version."""
    def parts(v: str) -> list[str]:
        p = v.split(".")
        while len(p) > 1 and p[-1] == "0":
            p.pop()
        return p
    return parts(a) == parts(b)


def test_every_lower_bound_is_pinned_in_the_minimum_constraints() -> None:
    bounds, pinned = lower_bounds(ROOT / "requirements.txt"), pins(ROOT / "constraints/minimum.txt")
    assert bounds, "requirements.txt has no lower bounds"
    assert set(bounds) == set(pinned)
    assert {n: v for n, v in bounds.items() if not same_version(v, pinned[n])} == {}


@pytest.mark.skipif(bool(os.environ.get(INSIDE)), reason="this is the minimum-versions run itself")
def test_the_suite_passes_on_the_minimum_versions() -> None:
    if not IN_CI and not os.environ.get("STREAMING_LAB_MIN_VERSIONS"):
        pytest.skip("about 3 minutes: runs under CI=true, or with STREAMING_LAB_MIN_VERSIONS=1")
    python = MIN_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(MIN_VENV)], check=True)
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", "requirements-dev.txt",
                              "-c", "constraints/minimum.txt"], cwd=ROOT, capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]
    frozen = subprocess.run([str(python), "-m", "pip", "freeze"], capture_output=True, text=True,
                            check=True).stdout
    installed = pins_from_freeze(frozen)
    wanted = pins(ROOT / "constraints/minimum.txt")
    assert {n: installed.get(n) for n in wanted if not same_version(installed.get(n, "?"), wanted[n])} == {}
    run = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "--ignore=tests/browser", "-x"], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, INSIDE: "1"}, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def pins_from_freeze(frozen: str) -> dict[str, str]:
    found = {}
    for line in frozen.splitlines():
        name, _, version = line.partition("==")
        if version:
            found[name.lower().replace("_", "-")] = version
    return found
