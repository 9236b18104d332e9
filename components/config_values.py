"""Reading one setting from st.secrets or the environment: secrets win, blanks mean unset."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def setting(name: str, secrets: Mapping[str, Any], env: Mapping[str, str]) -> str:
    """The setting as text, "" when unset or blank."""
    value = secrets.get(name) if name in secrets else env.get(name)
    return str(value).strip() if value not in (None, "") else ""


def positive_number(name: str, secrets: Mapping[str, Any], env: Mapping[str, str],
                    default: float) -> float:
    """A positive number, or the default for anything else (a typo never breaks the app)."""
    try:
        value = float(setting(name, secrets, env) or "nan")
    except ValueError:
        return default
    return value if value > 0 else default
