"""The exporter's own process: ``launchwatch run`` becomes it at once, while a child reads the plan.

Reading a plan and saying what is wrong with it takes the whole of launchwatch (pydantic, PyYAML,
the loader: some 15 MiB of modules), and the allocator keeps what loading a big plan touched. So
``launchwatch run``, once its arguments are good, forks: the child reads and checks the plan and
hands its runtime form (``launchwatch.plan.runtime``) over a pipe, while the command itself becomes
(exec: the same process id, for service managers and ``kill``) a fresh interpreter that imports only
what serving needs, on the other core. A plan with problems: the child prints them and the server
exits 1, as the command did. A reload (SIGHUP, POST /-/reload) reads the plan file in a child process
too (``python -m launchwatch.plan.runtime``), so the serving process never imports the loader.
docs/performance.md has the figures.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from launchwatch.plan.runtime import RuntimePlan, load_in_child

__all__ = ["Settings", "become_server"]


@dataclass(frozen=True)
class Settings:
    """What ``launchwatch run`` was told, for the process that serves."""

    plan_path: str
    base_url: str | None
    host: str
    port: int
    shard: str
    web_config: str | None
    lifecycle: bool
    log_level: str
    workers: int = 0


def become_server(settings: Settings, read_plan: Callable[[], RuntimePlan | None]) -> NoReturn:
    """Fork a child that runs ``read_plan`` (None: it printed the problems) and sends the result; replace
    this process with the serving interpreter, which takes it."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(r)
        gc.disable()  # a short life: what it makes is freed when it exits
        code = 1
        try:
            plan = read_plan()
            if plan is not None:
                with os.fdopen(w, "wb") as out:
                    pickle.dump((plan, settings), out, protocol=pickle.HIGHEST_PROTOCOL)
                code = 0
        except BaseException as exc:  # the server says the plan could not be read; this says why, in one line
            if settings.log_level == "debug":  # (a bug's traceback, for whoever debugs it)
                traceback.print_exc()
            else:
                print(f"{settings.plan_path}: cannot read the plan: {type(exc).__name__}: {exc}", file=sys.stderr)
        finally:
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
            os._exit(code)
    os.close(w)
    os.set_inheritable(r, True)
    # the command's own arguments follow, so ps still shows what was run
    os.execv(sys.executable, [sys.executable, "-m", "launchwatch.exporter.process", str(r), str(child),
                              *sys.argv[1:]])


def main(argv: list[str]) -> None:
    """``python -m launchwatch.exporter.process FD PID [the command's arguments, for ps]``."""
    from launchwatch.exporter.engine import Shard
    from launchwatch.exporter.server import Exporter, ListenError, serve
    from launchwatch.logs import setup_logging

    fd, child = int(argv[0]), int(argv[1])
    with os.fdopen(fd, "rb") as handover:
        data = handover.read()
    _, status = os.waitpid(child, 0)
    if not data or os.waitstatus_to_exitcode(status) != 0:
        sys.exit(1)  # the child said what is wrong with the plan
    gc.disable()
    plan, settings = pickle.loads(data)
    setup_logging(settings.log_level)
    web = None
    if settings.web_config:  # checked by launchwatch run already; its reloads need the model (pydantic)
        from launchwatch.exporter.web_config import WebConfigFile

        web = WebConfigFile(settings.web_config)
    app = Exporter(Path(settings.plan_path), base_url=settings.base_url, shard=Shard.parse(settings.shard), plan=plan,
                   lifecycle=settings.lifecycle, loader=load_in_child, workers=settings.workers)
    # the plan, its targets and the modules live as long as the process: the collector need not scan them
    gc.freeze()
    gc.enable()
    try:
        serve(app, settings.host, settings.port, web_config=web)
    except ListenError as exc:
        print(f"launchwatch run: {exc}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
