"""A table row's cells: Markdown pipes ("| Error rate | 2% | 5% |") or columns aligned with spaces."""

from __future__ import annotations

import re

__all__ = ["aligned_cells", "table_cells"]


def table_cells(raw: str) -> list[str] | None:
    """The cells of a Markdown table row (emphasis dropped), or None when the line is none."""
    s = raw.strip()
    if s.startswith("|") and s.count("|") >= 3:
        return [c.strip().replace("**", "") for c in s.strip("|").split("|")]
    return None


def aligned_cells(raw: str) -> list[str]:
    """The cells of a row whose columns are aligned with two spaces or more, or tabs."""
    return [c.strip() for c in re.split(r"\s{2,}|\t", raw.strip()) if c.strip()]
