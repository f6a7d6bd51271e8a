"""The five built-in plans shipped in ``launchwatch/plans/``, one per seed document."""

from __future__ import annotations

from pathlib import Path

__all__ = ["PLANS_DIR", "builtin_plan_path", "builtin_plans"]

PLANS_DIR = Path(__file__).resolve().parent.parent / "plans"


def builtin_plans() -> list[str]:
    """Names of the built-in plans, sorted."""
    return sorted(p.stem for p in PLANS_DIR.glob("*.yml"))


def builtin_plan_path(name: str) -> Path:
    """The file of built-in plan ``name``; ``KeyError`` names the ones that exist."""
    path = PLANS_DIR / f"{name}.yml"
    if not path.is_file():
        raise KeyError(f"no built-in plan {name!r}; built-in plans: {', '.join(builtin_plans())}")
    return path
