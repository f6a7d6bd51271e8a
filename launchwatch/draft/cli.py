"""The ``launchwatch draft`` command's work: read, draft, write whole (or say why not)."""

from __future__ import annotations

import re
from pathlib import Path

import click

from launchwatch.draft.plan import NoThresholds, draft_plan
from launchwatch.output import dump_yaml, write_new

__all__ = ["run_draft"]

_HEADER = ("# Drafted by `launchwatch draft` from {doc}.\n"
           "# Review every threshold (source_line: the line of the document its number is on), fill the TODOs\n"
           "# (`launchwatch check` lists them), then `launchwatch generate`.\n")


def run_draft(doc: str, name: str | None, out: str | None, force: bool) -> int:
    """Draft ``doc`` into ``out``; the exit code (0 written, 1 nothing to draft or not written)."""
    if name is not None and not re.fullmatch(r"[a-z][a-z0-9-]*", name):
        click.echo(f"--plan {name!r}: a plan name is lower-case letters, digits and '-', starting with a letter",
                   err=True)
        return 1
    try:
        plan, count = draft_plan(doc, name)
    except NoThresholds:
        click.echo(f"{doc}: no thresholds found (no 'comparator number unit' under a target or alert)", err=True)
        return 1
    except (OSError, ValueError) as exc:
        click.echo(f"{doc}: cannot read: {exc}", err=True)
        return 1
    text = dump_yaml(plan, _HEADER.format(doc=Path(doc).name))
    target = out or f"{plan['plan']}.yml"
    path, error = write_new(text, target, force)
    if error:
        click.echo(error, err=True)
        return 1
    if path is None:  # written to stdout
        return 0
    unclear = len(plan.get("unexpressible", []))
    click.echo(f"{path}: {count} thresholds, {unclear} notes to review (unexpressible); "
               f"next: launchwatch check {path}")
    return 0
