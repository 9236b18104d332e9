"""Append a benchmark's table to bench/RESULTS.md with the date, versions, machine and command."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from importlib.metadata import version
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def environment_line() -> str:
    """Versions and machine, so every row says how it was produced."""
    packages = ", ".join(f"{p} {version(p)}" for p in ("streamlit", "langchain-core",
                                                        "langchain-openai"))
    return (f"Python {platform.python_version()}, {packages}; {os.cpu_count()} cores, "
            f"{platform.machine()}")


def append_section(title: str, table: str, *, notes: str = "") -> None:
    """Write one dated section: the command, the environment, the table and a reading of it."""
    command = " ".join(["python -m", f"bench.{Path(sys.argv[0]).stem}", *sys.argv[1:]])
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = (f"\n## {title} — {stamp}\n\nCommand: `{command}`  \n"
               f"Environment: {environment_line()}\n\n{table}\n")
    if notes:
        section += f"\n{notes}\n"
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n\nEach section is appended by a script in "
                           "`bench/`; the command line says how to reproduce it.\n")
    with RESULTS.open("a") as out:
        out.write(section)


def save_figure(figure: object, path: Path) -> None:
    """Write a matplotlib figure as a PNG next to the docs, then free it."""
    import matplotlib.pyplot as plt

    figure.tight_layout()  # type: ignore[attr-defined]
    path.parent.mkdir(exist_ok=True)
    figure.savefig(path)  # type: ignore[attr-defined]
    plt.close(figure)  # type: ignore[arg-type]
