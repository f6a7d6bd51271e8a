"""The exporter's own process: ``launchwatch run`` reads and checks the plan, then becomes this.

Reading a plan and saying what is wrong with it takes the whole of launchwatch (pydantic, PyYAML,
the loader: some 15 MiB of modules), and the allocator keeps what loading a big plan touched. Once the
plan is good, ``launchwatch run`` hands its runtime form (``launchwatch.plan.runtime``) to a fresh
interpreter that takes the command's place (exec: the same process id, for service managers and
``kill``) and imports only what serving needs. A reload (SIGHUP, POST /-/reload) reads the plan file
in a child process (``python -m launchwatch.plan.runtime``) and takes its result, so the serving
process never imports the loader either. docs/performance.md has the figures.
"""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
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


def become_server(plan: RuntimePlan, settings: Settings) -> NoReturn:
    """Replace this process with the serving interpreter, handing it ``plan`` in an unlinked file."""
    with tempfile.TemporaryFile() as handover:  # closed only if exec fails: exec keeps its descriptor open
        pickle.dump((plan, settings), handover, protocol=pickle.HIGHEST_PROTOCOL)
        handover.flush()
        os.set_inheritable(handover.fileno(), True)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        # the command's own arguments follow, so ps still shows what was run
        os.execv(sys.executable, [sys.executable, "-m", "launchwatch.exporter.process", str(handover.fileno()),
                                  *sys.argv[1:]])


def main(argv: list[str]) -> None:
    """``python -m launchwatch.exporter.process FD [the command's arguments, for ps]``."""
    fd = int(argv[0])
    with os.fdopen(fd, "rb") as handover:
        handover.seek(0)
        plan, settings = pickle.load(handover)
    from launchwatch.exporter.engine import Shard
    from launchwatch.exporter.server import Exporter, serve
    from launchwatch.logs import setup_logging

    setup_logging(settings.log_level)
    web = None
    if settings.web_config:  # checked by launchwatch run already; its reloads need the model (pydantic)
        from launchwatch.exporter.web_config import WebConfigFile

        web = WebConfigFile(settings.web_config)
    app = Exporter(Path(settings.plan_path), base_url=settings.base_url, shard=Shard.parse(settings.shard), plan=plan,
                   lifecycle=settings.lifecycle, loader=load_in_child)
    serve(app, settings.host, settings.port, web_config=web)


if __name__ == "__main__":
    main(sys.argv[1:])
