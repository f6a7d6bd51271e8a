"""The ``launchwatch import json-exporter`` command's work: read, convert, check, write whole (or say why not)."""

from __future__ import annotations

from pathlib import Path

import click
import yaml

from launchwatch.importers.json_exporter import convert, probe_targets
from launchwatch.output import dump_yaml, write_new
from launchwatch.plan.loader import PlanError, load_plan_text

__all__ = ["run_json_exporter_import"]


def _read_yaml(path: str, what: str) -> object:
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path}: cannot read {what}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise click.ClickException(f"{path}{line}: not valid YAML: {reason}") from None


def run_json_exporter_import(config: str, name: str, out: str | None, prometheus: str | None,
                             allow: tuple[str, ...], force: bool) -> int:
    """Convert ``config`` into the plan file ``out``; the exit code (0 written, 1 not written)."""
    targets: dict[str, list[str]] = {}
    if prometheus:
        targets = probe_targets(_read_yaml(prometheus, "Prometheus configuration"))
    data = _read_yaml(config, "json_exporter configuration")
    modules = data.get("modules") if isinstance(data, dict) else None
    for module in modules or {}:
        known = targets.get(str(module), [])
        targets[str(module)] = [*known, *(a for a in allow if a not in known)]
    try:
        conversion = convert(data, name, targets=targets, source=Path(config).name)
    except ValueError as exc:
        click.echo(f"{config}: {exc}", err=True)
        return 1
    header = f"# Imported by `launchwatch import json-exporter` from {Path(config).name}.\n"
    if conversion.notes:
        header += "# Review what changed or was left out:\n" + "".join(f"#   - {n}\n" for n in conversion.notes)
    text = dump_yaml(conversion.plan, header)
    target = out or f"{name}.yml"
    for note in conversion.notes:
        click.echo(f"note: {config}: {note}", err=True)
    try:
        load_plan_text(text, target)
    except PlanError as exc:  # a conversion that launchwatch would refuse is not written
        click.echo(f"{config}: the converted plan does not load, nothing written:\n{exc}", err=True)
        return 1
    path, error = write_new(text, target, force)
    if error:
        click.echo(error, err=True)
        return 1
    if path is None:  # written to stdout
        return 0
    count = sum(len(m["metrics"]) for m in conversion.plan["modules"])
    click.echo(f"{path}: {len(conversion.plan['modules'])} modules, {count} mappings, {len(conversion.notes)} notes; "
               f"next: launchwatch check {path}, then launchwatch run --config {path} and point Prometheus' /probe "
               "jobs at it")
    return 0
