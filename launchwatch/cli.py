"""The ``launchwatch`` command: plans, check, run, simulate, demo."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from launchwatch import __version__
from launchwatch.expressions import SCRAPE_INTERVAL
from launchwatch.logs import RedactingFormatter, setup_logging
from launchwatch.plan import PlanError, builtin_plan_path, builtin_plans, load_plan
from launchwatch.plan.model import Plan
from launchwatch.plan.todos import todo_warnings
from launchwatch.plan.units import parse_duration
from launchwatch.report.deliver import DeliveryOptions, delivery_options

if TYPE_CHECKING:
    from launchwatch.topology import Topology

__all__ = ["main"]

DEFAULT_EXPORTER_LISTEN = "127.0.0.1:9848"
DEFAULT_SIMULATOR_LISTEN = "127.0.0.1:9849"


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` or ``[v6]:PORT`` → (host, port)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise click.BadParameter(f"{text!r}: use HOST:PORT, e.g. 127.0.0.1:9848")
    return host.strip("[]") or "0.0.0.0", int(port)


def _plan_file(config: str | None, plan: str | None) -> Path:
    if config and plan:
        raise click.UsageError("give --config FILE or --plan NAME, not both")
    if plan:
        try:
            return builtin_plan_path(plan)
        except KeyError as exc:
            raise click.BadParameter(str(exc.args[0]), param_hint="--plan") from None
    if config:
        return Path(config)
    raise click.UsageError("give --config FILE (a plan file) or --plan NAME (a built-in plan)")


_RedactingFormatter, _setup_logging = RedactingFormatter, setup_logging  # (launchwatch.logs)


@click.group()
@click.version_option(__version__, prog_name="launchwatch")
def main() -> None:
    """Launch monitoring from one plan file: exporter, simulator, alerts and dashboards."""


@main.command()
@click.option("--show", "show", metavar="NAME", help="Print one built-in plan as YAML, ready to copy and edit.")
def plans(show: str | None) -> None:
    """List the built-in plans, or print one."""
    if show:
        try:
            click.echo(builtin_plan_path(show).read_text(encoding="utf-8"), nl=False)
        except KeyError as exc:
            raise click.BadParameter(str(exc.args[0]), param_hint="--show") from None
        return
    for name in builtin_plans():
        plan = load_plan(builtin_plan_path(name))
        click.echo(f"{name:<20} {plan.title}  ({len(plan.sources)} sources, {len(plan.metrics)} metrics)")


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--config", "config", type=click.Path(dir_okay=False), help="Plan file to check.")
@click.option("--plan", "plan", metavar="NAME", help="Built-in plan to check.")
def check(files: tuple[str, ...], config: str | None, plan: str | None) -> None:
    """Validate plan files; exit 1 naming file, line and key of every problem."""
    paths = [Path(f) for f in files]
    if config or plan:
        paths.append(_plan_file(config, plan))
    if not paths:
        raise click.UsageError("name at least one plan file")
    failed = False
    for path in paths:
        notes: list = []
        try:
            p = load_plan(path, notes=notes)
        except PlanError as exc:
            failed = True
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            continue
        click.echo(f"{path}: ok: plan {p.plan}, {len(p.sources)} sources, {len(p.metrics)} metrics")
        for note in notes:  # allowed, but easy to miss: never a failure
            click.echo(f"note: {note}", err=True)
        for warning in todo_warnings(path):  # a drafted plan's TODOs: warnings, never a failure
            click.echo(f"warning: {warning}", err=True)
    sys.exit(1 if failed else 0)


@main.group(name="import")
def import_() -> None:
    """Convert another exporter's configuration into a plan."""


@import_.command(name="json-exporter")
@click.argument("config", type=click.Path(dir_okay=False))
@click.option("--plan", "name", default="json-exporter", show_default=True, metavar="NAME", help="Plan name.")
@click.option("-o", "--out", "out", default=None, metavar="OUT.yml",
              help="Where to write the plan ('-' for stdout; default: NAME.yml).")
@click.option("--prometheus", "prometheus", type=click.Path(dir_okay=False),
              help="Prometheus configuration whose /probe jobs' targets become the modules' allowed_targets.")
@click.option("--allow-target", "allow", multiple=True, metavar="PREFIX",
              help="A URL prefix or host[:port] every module may probe (repeatable).")
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
def import_json_exporter(config: str, name: str, out: str | None, prometheus: str | None, allow: tuple[str, ...],
                         force: bool) -> None:
    """Convert a json_exporter configuration (modules, metrics, headers, auth, TLS, body) into a plan."""
    from launchwatch.importers.command import run_json_exporter_import

    if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
        raise click.BadParameter("lower-case letters, digits and '-', starting with a letter", param_hint="--plan")
    sys.exit(run_json_exporter_import(config, name, out, prometheus, allow, force))


@main.command()
@click.argument("doc", type=click.Path(dir_okay=False))
@click.option("--plan", "name", metavar="NAME", help="Plan name (default: from the document's file name).")
@click.option("-o", "--out", "out", default=None, metavar="OUT.yml",
              help="Where to write the draft ('-' for stdout; default: NAME.yml).")
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
@click.option("--from-json", "sample", default=None, metavar="SAMPLE.json",
              help="A sample of the product's JSON: fill the source's paths from the fields that match the "
                   "document's metrics (the rest stay TODO).")
@click.option("--url", default=None, metavar="URL", help="With --from-json: where the product serves that JSON.")
def draft(doc: str, name: str | None, out: str | None, force: bool, sample: str | None, url: str | None) -> None:
    """Draft a plan from a launch-monitoring document: every threshold it states, with its line."""
    from launchwatch.draft.cli import run_draft

    if url is not None and sample is None:
        raise click.UsageError("--url goes with --from-json (the sample of what that URL serves)")
    sys.exit(run_draft(doc, name, out, force, sample, url))


@main.command()
@click.option("--config", "config", type=click.Path(dir_okay=False), help="Plan file.")
@click.option("--plan", "plan", metavar="NAME", help="Built-in plan (instead of --config).")
@click.option("--listen", default=DEFAULT_EXPORTER_LISTEN, show_default=True, help="HOST:PORT to serve on.")
@click.option("--base-url", help="Override the plan's base_url (where its relative source URLs live).")
@click.option("--shard", default="0/1", show_default=True, help="Serve only share i of n of the sources.")
@click.option("--web.config.file", "web_config", type=click.Path(dir_okay=False),
              help="TLS and basic auth for the exporter's endpoints (Prometheus exporter-toolkit format).")
@click.option("--web.enable-lifecycle", "lifecycle", is_flag=True,
              help="Allow POST /-/reload (behind --web.config.file's authentication). SIGHUP always reloads.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]))
@click.option("--workers", default=0, show_default=True, type=click.IntRange(0, 64),
              help="Worker processes that fetch, extract and render when fetches overlap, to use more than one "
                   "core (0: all in the serving process). Concurrent scrapes of a source still share one fetch.")
def run(config: str | None, plan: str | None, listen: str, base_url: str | None, shard: str,
        web_config: str | None, lifecycle: bool, log_level: str, workers: int) -> None:
    """Run the exporter: every scrape of /metrics fetches the plan's sources fresh."""
    from launchwatch.exporter.process import Settings, become_server
    from launchwatch.exporter.shard import Shard
    from launchwatch.plan.runtime import RuntimePlan, runtime_plan

    _setup_logging(log_level)
    path = _plan_file(config, plan)
    host, port = parse_listen(listen)
    try:
        Shard.parse(shard)
    except ValueError as exc:  # only here: a ValueError from loading the plan may quote it, and is no --shard error
        raise click.BadParameter(str(exc), param_hint="--shard") from None
    try:
        if web_config:
            from launchwatch.exporter.web_config import WebConfigFile

            WebConfigFile(web_config)
    except PlanError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)

    def read_plan() -> RuntimePlan | None:
        try:
            return runtime_plan(load_plan(path, base_url=base_url))
        except PlanError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            return None

    # a child reads the plan while this process becomes a lean server (launchwatch.exporter.process)
    become_server(Settings(str(path), base_url, host, port, shard, web_config, lifecycle, log_level, workers),
                  read_plan)


@main.group()
def journey() -> None:
    """Synthetic user journeys (a plan's ``journeys:``)."""


@journey.command(name="run")
@click.argument("name", metavar="JOURNEY", required=False)
@click.option("--config", "config", type=click.Path(dir_okay=False), help="Plan file.")
@click.option("--plan", "plan", metavar="NAME", help="Built-in plan (instead of --config).")
@click.option("--base-url", help="Override the plan's base_url (where relative step URLs live).")
def journey_run(name: str | None, config: str | None, plan: str | None, base_url: str | None) -> None:
    """Run one journey once, step by step, with timings and extracted values (secrets masked).

    Exits 0 when every step passed, 1 when one failed (or the plan is broken)."""
    from launchwatch.exporter.journey_run import run_once

    path = _plan_file(config, plan)
    try:
        loaded = load_plan(path, base_url=base_url)
    except PlanError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    known = [j.name for j in loaded.journeys]
    if name is None or name not in known:
        what = "give a JOURNEY" if name is None else f"no journey {name!r} in plan {loaded.plan}"
        raise click.BadParameter(f"{what}; journeys: {', '.join(known) or 'none'}", param_hint="JOURNEY")
    chosen = loaded.journey(name)
    base = chosen.base_url if chosen.base_url is not None else loaded.base_url
    result = run_once(chosen, base, click.echo)
    sys.exit(0 if result.ok else 1)


@main.command()
@click.option("--config", "configs", multiple=True, type=click.Path(dir_okay=False), help="Plan file (repeatable).")
@click.option("--plan", "plans_", multiple=True, metavar="NAME", help="Built-in plan (repeatable); 'all' for all five.")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Directory to write into.")
@click.option("--phase", help="Launch phase whose thresholds to use (default: each plan's own default; 'all').")
@click.option("--job", "jobs", multiple=True, metavar="[PLAN=]JOB",
              help="Prometheus job that scrapes the plan's exporter (default: the plan's 'job:', else its name); "
                   "rules, scrape config and dashboards all select it. PLAN=JOB with several plans.")
@click.option("--exporter", "exporter_specs", multiple=True, metavar="[PLAN=]HOST:PORT",
              help="Exporter address Prometheus scrapes (default 127.0.0.1:9848). One exporter serves one plan: "
                   "with several plans give PLAN=HOST:PORT for each.")
@click.option("--alertmanager", "alertmanagers", multiple=True, default=["127.0.0.1:9093"], show_default=True,
              help="Alertmanager address (repeatable).")
@click.option("--scrape-interval", default=SCRAPE_INTERVAL, show_default=True)
@click.option("--scrape-timeout", default="10s", show_default=True)
@click.option("--secrets-dir", default="/etc/alertmanager/secrets", show_default=True,
              help="Where Alertmanager reads each channel's credentials: <secrets-dir>/<plan>/<channel>.")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 naming each file under --out that differs from what the plans generate.")
@click.option("--topology", "topology_file", type=click.Path(dir_okay=False), metavar="TOPOLOGY.yml",
              help="A scaled deployment (exporter shards, Prometheus HA pair or vmagent cluster + vmalert, "
                   "Alertmanager cluster, long-term store; docs/scaling.md): its configuration and commands "
                   "instead of the single-node prometheus.yml. It gives the addresses --exporter and "
                   "--alertmanager would.")
@click.option("--time-scale", type=float, default=1.0, hidden=True,
              help="Multiply every rule duration (tests only: shortens `for` and windows; no promtool tests).")
@click.pass_context
def generate(ctx: click.Context, configs: tuple[str, ...], plans_: tuple[str, ...], out: str, phase: str | None,
             jobs: tuple[str, ...], exporter_specs: tuple[str, ...], alertmanagers: tuple[str, ...],
             scrape_interval: str, scrape_timeout: str, secrets_dir: str, check_only: bool,
             topology_file: str | None, time_scale: float) -> None:
    """Write rules and their tests, prometheus.yml, alertmanager.yml and Grafana dashboards for plans.

    Everything is made before anything is written: a problem leaves the output as it was.
    """
    from launchwatch.alerting.scenarios import NoHealthyTraffic
    from launchwatch.generate import GenerateOptions, generated_files
    from launchwatch.generate import generate as write_all
    from launchwatch.output import diff_tree, stale_files
    from launchwatch.topology import TopologyError

    if not configs and not plans_:
        raise click.UsageError("give --plan NAME or --config FILE")
    loaded = _with_jobs(_load_plans(configs, plans_), jobs)
    topology = _topology(ctx, topology_file, loaded) if topology_file else None
    exporter, exporters = _exporters(loaded, exporter_specs) if topology is None else ("127.0.0.1:9848", {})
    options = GenerateOptions(phase=phase, time_scale=time_scale, exporter=exporter, exporters=exporters,
                              alertmanagers=tuple(alertmanagers), scrape_interval=scrape_interval,
                              scrape_timeout=scrape_timeout, secrets_dir=secrets_dir, topology=topology)
    try:
        if check_only:
            files = generated_files(loaded, options)
            stale, gone = diff_tree(files, Path(out)), set(stale_files(files, Path(out)))
            for rel in stale:
                click.echo(f"{Path(out) / rel}: " + ("generated before, no plan generates it now (generate removes "
                                                      "it)" if rel in gone else "differs from what the plans generate"),
                           err=True)
            click.echo(f"{len(stale)} of the generated files differ; run without --check to rewrite them"
                       if stale else f"{out}: up to date", err=bool(stale))
            sys.exit(1 if stale else 0)
        removed: list[Path] = []
        written = write_all(loaded, Path(out), options, removed)
    except NoHealthyTraffic as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except TopologyError as exc:
        click.echo(f"{topology_file}: {exc}", err=True)
        sys.exit(1)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--phase") from None
    except OSError as exc:
        click.echo(f"{out}: cannot write: {exc.strerror or exc}", err=True)
        sys.exit(1)
    for path in written:
        click.echo(str(path))
    for path in removed:
        click.echo(f"removed {path}: generated before, no plan generates it now")
    for plan in loaded:
        if not plan.runbook_base:
            click.echo(f"note: plan {plan.plan} has no runbook_base: its alerts' runbook_url is the repository path "
                       f"{plan.runbook_url('')[:-1]}, which no pager or chat can open; set runbook_base to where "
                       "docs/alerts is published", err=True)


def _topology(ctx: click.Context, path: str, plans: list[Plan]) -> Topology:
    """The topology file, fitting ``plans``; else exit 1 with ``file:line: key: problem`` for each problem."""
    from launchwatch.topology import TopologyError, check_plans, load_topology

    for name, flag in (("exporter_specs", "--exporter"), ("alertmanagers", "--alertmanager")):
        if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE:
            raise click.UsageError(f"{flag} and --topology both give addresses: put them in the topology file")
    try:
        topology = load_topology(path)
        check_plans(plans, topology)
    except PlanError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    except TopologyError as exc:
        click.echo(f"{path}: {exc}", err=True)
        sys.exit(1)
    return topology


def _per_plan(items: tuple[str, ...], plans: list[Plan], option: str) -> tuple[list[str], dict[str, str]]:
    """The values of a repeatable option given bare and as ``PLAN=VALUE`` (each PLAN a plan being generated)."""
    names = {p.plan for p in plans}
    bare, per_plan = [], {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            bare.append(item)
        elif name not in names:
            raise click.BadParameter(f"{item!r}: no plan {name!r} is being generated", param_hint=option)
        else:
            per_plan[name] = value
    return bare, per_plan


def _exporters(plans: list[Plan], specs: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """The default exporter address and one per plan, from ``HOST:PORT`` and ``PLAN=HOST:PORT`` items."""
    bare, per_plan = _per_plan(specs, plans, "--exporter")
    default = bare[-1] if bare else "127.0.0.1:9848"
    for address in [default, *per_plan.values()]:
        parse_listen(address)
    shared = [p.plan for p in plans if p.plan not in per_plan]
    if len(shared) > 1:
        raise click.BadParameter(f"plans {', '.join(shared)} would share exporter {default}, but one exporter serves "
                                 "one plan: give PLAN=HOST:PORT for each", param_hint="--exporter")
    return default, per_plan


def _with_jobs(plans: list[Plan], jobs: tuple[str, ...]) -> list[Plan]:
    """Plans with the job given on the command line (``JOB`` for one plan, ``PLAN=JOB`` for several)."""
    bare, wanted = _per_plan(jobs, plans, "--job")
    if bare:
        if len(plans) != 1:
            raise click.BadParameter(f"{bare[0]!r}: with several plans, say which: PLAN=JOB", param_hint="--job")
        wanted[plans[0].plan] = bare[-1]
    for job in wanted.values():
        if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_.:-]*", job):
            raise click.BadParameter(f"{job!r} is not a usable job name", param_hint="--job")
    return [p.model_copy(update={"job": wanted[p.plan]}) if p.plan in wanted else p for p in plans]


@main.command()
@click.option("--out", default="docs", show_default=True, type=click.Path(file_okay=False))
def docs(out: str) -> None:
    """Write the alert catalogue of every built-in plan (docs/alerts/<plan>.md, docs/thresholds.md)."""
    from launchwatch.alerting.catalogue import catalogue, summary_table

    loaded = [load_plan(builtin_plan_path(n)) for n in builtin_plans()]
    (Path(out) / "alerts").mkdir(parents=True, exist_ok=True)
    for plan in loaded:
        (Path(out) / "alerts" / f"{plan.plan}.md").write_text(catalogue(plan), encoding="utf-8")
    (Path(out) / "thresholds.md").write_text(summary_table(loaded), encoding="utf-8")
    click.echo(f"wrote {out}/thresholds.md and {len(loaded)} alert catalogues")


@main.command()
@click.option("--plan", "plan", required=True, type=click.Choice(builtin_plans()), help="Plan to simulate.")
@click.option("--listen", default=DEFAULT_SIMULATOR_LISTEN, show_default=True, help="HOST:PORT to serve on.")
@click.option("--fault", "faults", multiple=True, metavar="NAME[@PATH]",
              help="Start with a fault on (repeatable): error-spike, slow, down, payment-failure, "
                   "zero-completions, malformed-json; @PATH limits it to one endpoint.")
@click.option("--seed", type=int, help="Random seed, for repeatable runs.")
@click.option("--latency", default="0s", show_default=True,
              help="How long every endpoint takes to answer (a real one rarely answers in under a millisecond).")
@click.option("--history", metavar="DURATION",
              help="Instead of serving, write this much of the launch (e.g. 7d) as OpenMetrics to -o FILE.")
@click.option("-o", "--output", metavar="FILE", help="With --history: the OpenMetrics file to write.")
@click.option("--step", default=SCRAPE_INTERVAL, show_default=True, help="With --history: the scrape interval.")
@click.option("--end", metavar="TIME", help="With --history: when the history ends (now, Unix seconds or ISO 8601; "
                                            "default now, rounded down to the step).")
@click.option("--incidents", type=click.Choice(["default", "none"]), default="default", show_default=True,
              help="With --history: the plan's scripted incidents, or a clean history.")
@click.option("--incident", "incident_specs", multiple=True, metavar="'FAULT[@PATH] at START for DURATION'",
              help="With --history: an incident of your own instead of the table (repeatable); START is +2h "
                   "after the launch, d2 14:00 (UTC) or ISO 8601.")
@click.option("--instance", default="127.0.0.1:9848", show_default=True,
              help="With --history: the instance label (the exporter address prometheus.yml scrapes).")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]))
def simulate(plan: str, listen: str, faults: tuple[str, ...], seed: int | None, latency: str, history: str | None,
             output: str | None, step: str, end: str | None, incidents: str, incident_specs: tuple[str, ...],
             instance: str, log_level: str) -> None:
    """Serve a plan's endpoints with launch-like values (POST /-/fault switches faults), or with
    --history write days of them as OpenMetrics for promtool to backfill."""
    from launchwatch.simulator import Simulator

    _setup_logging(log_level)
    if history is not None:
        _simulate_history(plan, history, output, step, end, seed, incidents, incident_specs, instance)
        return
    host, port = parse_listen(listen)
    try:
        sim = Simulator(plan, host, port, faults=list(faults), seed=seed, latency=parse_duration(latency))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fault") from None
    except OSError as exc:
        raise click.ClickException(f"{host}:{port}: cannot listen: {exc.strerror or exc}") from None
    click.echo(f"simulator for {plan} on {sim.url} (endpoints: {', '.join(sorted(sim.routes))})")
    click.echo(f"faults: curl -X POST '{sim.url}/-/fault?fault=error-spike'   clear: curl -X DELETE {sim.url}/-/fault")
    try:
        sim.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()


def _simulate_history(plan: str, history: str, output: str | None, step: str, end: str | None, seed: int | None,
                      incidents: str, specs: tuple[str, ...], instance: str) -> None:
    from launchwatch.prometheus_api import parse_time
    from launchwatch.simulator.history import meta_path, simulate_history

    if not output:
        raise click.UsageError("--history needs -o FILE (the OpenMetrics file to write)")
    try:
        span, step_s = parse_duration(history), parse_duration(step)
        end_t = parse_time(end or "now")
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    try:
        summary = simulate_history(plan, Path(output), span=span, step=step_s, end=end_t, seed=seed,
                                   incidents=list(specs) if specs else incidents, instance=instance)
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(summary.describe())
    click.echo(f"incidents ({meta_path(Path(output))}):" if summary.incidents else "incidents: none")
    for incident in summary.incidents:
        click.echo(f"  {incident.describe()}")
    click.echo(f"backfill: launchwatch backfill --plan {plan} --history {output} --data-dir DIR")


@main.command()
@click.option("--config", metavar="PLAN.yml", help="Plan file whose rules to evaluate.")
@click.option("--plan", "plan", metavar="NAME", help="Built-in plan whose rules to evaluate.")
@click.option("--history", "history", required=True, metavar="FILE",
              help="OpenMetrics written by `simulate --history` (its FILE.incidents.json gives the span).")
@click.option("--data-dir", "data_dir", required=True, metavar="DIR", help="Prometheus data directory to create.")
@click.option("--phase", help="The plan's phase whose thresholds to use (default: its default phase).")
@click.option("--log-level", default="warning", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]))
def backfill(config: str | None, plan: str | None, history: str, data_dir: str, phase: str | None,
             log_level: str) -> None:
    """Backfill a simulated history into a Prometheus data dir, with the plan's recording rules and
    alerts (ALERTS, ALERTS_FOR_STATE) evaluated over it."""
    from launchwatch.backfill import BackfillError, backfill_plan

    _setup_logging(log_level)
    path = _plan_file(config, plan)
    try:
        loaded = load_plan(path)
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        summary = backfill_plan(loaded, Path(history), Path(data_dir), phase=phase, echo=click.echo)
    except BackfillError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(summary.describe())
    for span in summary.spans:
        click.echo(f"  {span.describe()}")
    click.echo(f"query it: prometheus --config.file=generated/prometheus/prometheus.yml "
               f"--storage.tsdb.path={data_dir}")


@main.command()
@click.option("--plan", "plan", default="whatsapp-quiz", show_default=True, type=click.Choice(builtin_plans()))
@click.option("--listen", default=DEFAULT_EXPORTER_LISTEN, show_default=True, help="Exporter HOST:PORT.")
@click.option("--simulator-listen", default="127.0.0.1:0", show_default=True,
              help="Simulator HOST:PORT (port 0 picks a free one).")
@click.option("--duration", type=float, help="Stop after this many seconds (default: run until Ctrl-C).")
@click.option("--fault", "faults", multiple=True, metavar="NAME[@PATH]", help="Start the simulator with a fault.")
@click.option("--prometheus-listen", default="127.0.0.1:9090", show_default=True,
              help="Prometheus HOST:PORT (a free port is used if taken).")
@click.option("--alertmanager-listen", default="127.0.0.1:9093", show_default=True,
              help="Alertmanager HOST:PORT (a free port is used if taken).")
@click.option("--no-stack", is_flag=True, help="Do not start Prometheus and Alertmanager.")
@click.option("--history", metavar="DURATION",
              help="First replay this much of the launch (e.g. 7d, ending now, with scripted incidents) and "
                   "backfill it into Prometheus, so dashboards and reports have data at once.")
@click.option("--seed", type=int, help="With --history: the replay's random seed.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]))
def demo(plan: str, listen: str, simulator_listen: str, duration: float | None, faults: tuple[str, ...],
         prometheus_listen: str, alertmanager_listen: str, no_stack: bool, history: str | None, seed: int | None,
         log_level: str) -> None:
    """Run the simulator, the exporter, and (when installed) Prometheus and Alertmanager on a built-in plan."""
    from launchwatch.backfill import BackfillError
    from launchwatch.demo import run_demo
    from launchwatch.exporter.server import ListenError

    _setup_logging(log_level)
    try:
        span = parse_duration(history) if history else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--history") from None
    try:
        run_demo(plan, parse_listen(listen), parse_listen(simulator_listen), duration=duration, faults=list(faults),
                 echo=click.echo, with_stack=not no_stack, prometheus=parse_listen(prometheus_listen),
                 alertmanager=parse_listen(alertmanager_listen), history=span, seed=seed)
    except BackfillError as exc:
        raise click.ClickException(f"the history could not be backfilled: {exc}") from None
    except ListenError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.option("--from-json", "from_json", metavar="SAMPLE.json", help="A sample of the product's JSON, in a file.")
@click.option("--from-url", "from_url", metavar="URL", help="Fetch the sample from the product (once, 10 s timeout).")
@click.option("--name", metavar="PLAN", help="Plan name (default: the sample file's stem, or the URL's host).")
@click.option("--url", metavar="URL", help="With --from-json: where the product serves that JSON (base_url and url).")
@click.option("-o", "--output", metavar="PLAN.yml", help="File to write (default: <name>.yml; '-' for stdout).")
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
def init(from_json: str | None, from_url: str | None, name: str | None, url: str | None, output: str | None,
         force: bool) -> None:
    """Write a starter plan from a sample of the product's JSON, each guess marked by a comment."""
    from launchwatch.plan.starter import StarterError
    from launchwatch.plan.starter import init as write_starter

    try:
        write_starter(from_json=from_json, from_url=from_url, name=name, url=url, output=output, force=force,
                      echo=click.echo)
    except StarterError as exc:
        click.echo(f"launchwatch init: {exc}", err=True)
        sys.exit(exc.exit_code)


def _load_plans(configs: tuple[str, ...], names: tuple[str, ...]) -> list[Plan]:
    """The plans of ``--config``/``--plan`` options (``all``: every built-in one); each problem printed
    as ``file:line: key: problem`` and exit 1."""
    paths = [Path(c) for c in configs] + [_plan_file(None, n) for n in (builtin_plans() if "all" in names
                                                                        else names)]
    loaded, problems = [], []
    for path in paths:
        try:
            loaded.append(load_plan(path))
        except PlanError as exc:
            problems += exc.problems
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        sys.exit(1)
    return loaded


@main.command()
@click.argument("dashboard", metavar="[DASHBOARD.json]", required=False)
@click.option("--config", "configs", multiple=True, type=click.Path(dir_okay=False), metavar="PLAN.yml",
              help="Render every dashboard this plan generates (repeatable), instead of one file.")
@click.option("--plan", "plans_", multiple=True, metavar="NAME",
              help="Render every dashboard of a built-in plan (repeatable; 'all' for all five).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="With --config/--plan: where to write <dashboard uid>.png.")
@click.option("--phase", help="With --config/--plan: launch phase whose thresholds colour the panels.")
@click.option("--prometheus", "prometheus", required=True, metavar="URL",
              help="Prometheus to query, e.g. http://127.0.0.1:9090.")
@click.option("-o", "--output", metavar="OUT.png", help="Image to write (default: <dashboard file stem>.png here).")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="A dashboard variable's value, inserted as written (repeatable; default: its current value).")
@click.option("--end", default="now", show_default=True, metavar="TIME",
              help="End of the time range: now, now-1h, an ISO 8601 time (UTC) or Unix seconds.")
@click.option("--range", "range_", metavar="DURATION", help="Time range, e.g. 30m or 6h (default: the dashboard's).")
def preview(dashboard: str | None, configs: tuple[str, ...], plans_: tuple[str, ...], out_dir: str | None,
            phase: str | None, prometheus: str, output: str | None, variables: tuple[str, ...], end: str,
            range_: str | None) -> None:
    """Render Grafana dashboards to PNG with live data from Prometheus: what Grafana would show.

    Either one dashboard file (DASHBOARD.json, -o OUT.png) or every dashboard a plan generates
    (--plan NAME or --config PLAN.yml, --out DIR), built in memory as `generate` builds them.
    """
    from launchwatch.dashboards.preview import PreviewError, preview_file, preview_plans

    if dashboard and (configs or plans_):
        raise click.UsageError("give DASHBOARD.json or --plan/--config, not both")
    if not (dashboard or configs or plans_):
        raise click.UsageError("give DASHBOARD.json, or --plan NAME / --config PLAN.yml with --out DIR")
    if dashboard and (out_dir or phase):
        raise click.UsageError("--out and --phase go with --plan/--config; for one dashboard use -o OUT.png")
    if not dashboard and output:
        raise click.UsageError("-o goes with DASHBOARD.json; with --plan/--config use --out DIR")
    if not dashboard and not out_dir:
        raise click.UsageError("--plan/--config render several dashboards: give --out DIR")
    try:
        if dashboard:
            results = iter([preview_file(dashboard, prometheus, output, variables, end, range_)])
        else:
            results = preview_plans(_load_plans(configs, plans_), prometheus, out_dir or ".", variables, end,
                                    range_, phase)
        for result in results:
            failed = sum(1 for p in result.panels if p.error)
            click.echo(f"wrote {result.path} ({result.width}x{result.height}, {len(result.panels)} panels"
                       + (f", {failed} with a query error" if failed else "") + ")")
    except PreviewError as exc:
        click.echo(f"launchwatch preview: {exc}", err=True)
        sys.exit(1)


@main.command()
@click.option("--config", metavar="PLAN.yml", help="The plan file.")
@click.option("--plan", "plan", metavar="NAME", help="A built-in plan (launchwatch plans).")
@click.option("--prometheus", required=True, metavar="URL", help="Prometheus to read, e.g. http://127.0.0.1:9090.")
@click.option("--report", "report_name", metavar="NAME",
              help="Which of the plan's reports (default: the one made for --period, else the first).")
@click.option("--period", metavar="PERIOD",
              help="hour, day, week, month (ending at --end), or a window from launch: launch-day, first-week, "
                   "first-month, day-N, week-N… (default: the report's own).")
@click.option("--end", default="now", show_default=True, metavar="TIME",
              help="End of the period: now, now-1h, an ISO 8601 time (UTC unless it says) or Unix seconds.")
@click.option("--launch-at", metavar="TIME", help="Launch time, for windows from launch (default: plan's launch_at).")
@click.option("--format", "fmt", default="markdown", show_default=True, type=click.Choice(["markdown", "html", "json"]))
@click.option("-o", "--output", metavar="FILE", help="File to write (default: standard output; '-' with delivery).")
@delivery_options
def report(config: str | None, plan: str | None, prometheus: str, report_name: str | None, period: str | None,
           end: str, launch_at: str | None, fmt: str, output: str | None, delivery: DeliveryOptions) -> None:
    """Make one of the plan's launch reports from Prometheus: figures against targets, the previous period,
    the alerts that fired, and a GREEN / YELLOW / RED status with its reasons; --post and --mail deliver it."""
    from launchwatch.plan.reports import check_period
    from launchwatch.report.command import ReportRequest, make_report, render, write_atomically
    from launchwatch.report.compute import ReportError
    from launchwatch.report.deliver import DeliveryError, deliver

    path = _plan_file(config, plan)
    try:
        loaded = load_plan(path)
    except PlanError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    if period is not None:
        try:
            check_period(period)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--period") from None
    req = ReportRequest(prometheus, report_name, period, end, launch_at, fmt)
    try:
        result = make_report(loaded, req, plots=fmt == "html" or bool(delivery.mail))
        if output is not None or not delivery.wanted:
            write_atomically(render(result, fmt), output, lambda line: click.echo(line, err=True))
        markdown = render(result, "markdown")
        deliver(delivery, markdown=markdown, html=render(result, "html") if delivery.mail else "", text=markdown,
                title=f"{result.report.title}: {result.status}", echo=lambda line: click.echo(line, err=True))
    except (ReportError, DeliveryError) as exc:
        click.echo(f"launchwatch report: {exc}", err=True)
        sys.exit(1)
