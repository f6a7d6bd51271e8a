"""How launchwatch's commands log: one line per event, every URL's credentials cut.

Its own small module so the exporter's serving process (``launchwatch.exporter.process``) logs
exactly as ``launchwatch run`` did before it took its place, without importing the command line.
"""

from __future__ import annotations

import logging
import re
import sys

__all__ = ["RedactingFormatter", "setup_logging"]


class RedactingFormatter(logging.Formatter):
    """Log lines with every ``scheme://user:password@`` cut to ``scheme://***@``: a library may log a URL
    whose credentials came from the plan or from an upstream's redirect (urllib3: "Redirecting A -> B")."""

    _USERINFO = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*://)[^\s'\"<>]*@")  # up to the last '@' before a space

    def format(self, record: logging.LogRecord) -> str:
        return self._USERINFO.sub(r"\1***@", super().format(record))


def setup_logging(level: str) -> None:
    """Log to stderr at ``level`` (debug, info, warning, error)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("ts=%(asctime)s level=%(levelname)s logger=%(name)s msg=%(message)s",
                                            datefmt="%Y-%m-%dT%H:%M:%S%z"))
    logging.basicConfig(level=getattr(logging, level.upper()), handlers=[handler])
