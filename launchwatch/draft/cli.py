"""The ``launchwatch draft`` command's work: read, draft, write whole (or say why not)."""

from __future__ import annotations

import re
from pathlib import Path

import click

from launchwatch.draft.plan import NoThresholds, draft_plan
from launchwatch.draft.sample import Filled, fill_source
from launchwatch.output import dump_yaml, write_new
from launchwatch.plan.loader import PlanError, load_plan_text
from launchwatch.plan.starter import StarterError, read_sample

__all__ = ["run_draft"]

_SHOWN_NOTES = 10  # the notes a document with no threshold shows: the first lines, enough to see why
_HEADER = ("# Drafted by `launchwatch draft` from {doc}.\n"
           "# Review every threshold (source_line: the line of the document its number is on), fill the TODOs\n"
           "# (`launchwatch check` lists them), then `launchwatch generate`.\n")


def run_draft(doc: str, name: str | None, out: str | None, force: bool, sample_json: str | None = None,
              url: str | None = None) -> int:
    """Draft ``doc`` into ``out``, its source filled from ``sample_json`` when given; the exit code (0 written,
    1 nothing to draft or not written)."""
    if name is not None and not re.fullmatch(r"[a-z][a-z0-9-]*", name):
        click.echo(f"--plan {name!r}: a plan name is lower-case letters, digits and '-', starting with a letter",
                   err=True)
        return 1
    try:
        sample = read_sample(sample_json, url) if sample_json is not None else None
    except StarterError as exc:
        click.echo(f"--from-json: {exc}", err=True)
        return 1
    try:
        plan, count = draft_plan(doc, name)
    except NoThresholds as none:
        click.echo(f"{doc}: no thresholds found (no 'comparator number unit' under a target or alert)", err=True)
        if none.notes:
            click.echo(f"what it read but could not draft ({len(none.notes)}):", err=True)
            for note in none.notes[:_SHOWN_NOTES]:
                click.echo(f"  {note}", err=True)
            if len(none.notes) > _SHOWN_NOTES:
                click.echo(f"  … and {len(none.notes) - _SHOWN_NOTES} more", err=True)
        return 1
    except (OSError, ValueError) as exc:
        click.echo(f"{doc}: cannot read: {exc}", err=True)
        return 1
    filled = fill_source(plan, sample) if sample is not None else None
    text = dump_yaml(plan, _HEADER.format(doc=Path(doc).name))
    try:
        load_plan_text(text, "<draft>")
    except PlanError as exc:  # a bug here, never the user's: say so rather than write a plan `check` refuses
        click.echo(f"{doc}: the draft does not load ({exc.problems[0]}); please report it with the document",
                   err=True)
        return 1
    target = out or f"{plan['plan']}.yml"
    if target != "-" and sample_json is not None and Path(target).resolve() == Path(sample_json).resolve():
        click.echo(f"{target} is the --from-json sample: give -o another file", err=True)
        return 1
    if target != "-" and Path(target).resolve() == Path(doc).resolve():  # (--force would replace the document)
        if out is not None:
            click.echo(f"{out} is the document itself: the draft would replace what it is drafted from; give -o "
                       "another file", err=True)
            return 1
        target = f"{plan['plan']}-draft.yml"  # a plan-shaped document ("checkout.yml"): beside it, not over it
    path, error = write_new(text, target, force)
    if error:
        click.echo(error, err=True)
        return 1
    if filled is not None:
        _say_filled(filled, str(sample_json), path)
    if path is None:  # written to stdout
        return 0
    unclear = len(plan.get("unexpressible", []))
    slos = f"{len(plan['slos'])} SLOs (slos:), " if plan.get("slos") else ""
    click.echo(f"{path}: {count} thresholds, {slos}{unclear} notes to review (unexpressible); "
               f"next: launchwatch check {path}")
    return 0


def _say_filled(filled: Filled, sample: str, path: Path | None) -> None:
    """Which of the draft's metrics the sample's fields now feed, and which are still the user's to map."""
    say = (lambda msg: click.echo(msg, err=True)) if path is None else click.echo
    total = len(filled.matched) + len(filled.todo)
    say(f"{sample}: {len(filled.matched)} of {total} metrics mapped by their words (check each):")
    for metric, json_path in filled.matched:
        say(f"  {metric} <- {json_path}")
    for metric, why in filled.todo:
        say(f"  {metric}: still TODO ({why})")
    if filled.unused:
        shown = ", ".join(filled.unused[:8]) + (f" and {len(filled.unused) - 8} more" if len(filled.unused) > 8 else "")
        say(f"  not used by any threshold: {shown} (`launchwatch init --from-json {sample}` maps every field)")
