"""A minimal fast JSON server for benchmarks (asyncio: thousands of keep-alive connections, no threads).

    python bench/upstream.py PORT BODY.json [BODY2.json ...]
    python bench/upstream.py PORT --manifest PATHS.json     # {"/path": ["a.json", "b.json"], ...}

Every path (or each path of the manifest) answers with its bodies in turn, so two files mean the
values change on every request; ``/-/hits`` answers how many documents were served.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from pathlib import Path


def main() -> None:
    port = int(sys.argv[1])
    by_manifest = sys.argv[2] == "--manifest"
    manifest = json.loads(Path(sys.argv[3]).read_text()) if by_manifest else {"*": sys.argv[2:]}
    loaded: dict[str, bytes] = {}
    turns = {path: itertools.cycle([_reply(loaded, f) for f in files]) for path, files in manifest.items()}
    hits = 0

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal hits
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if head.startswith(b"GET /-/hits "):
                    text = str(hits).encode()
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(text), text))
                else:
                    hits += 1
                    path = head.split(b" ", 2)[1].decode("latin-1")
                    writer.write(next(turns.get(path) or turns["*"]))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def serve() -> None:
        server = await asyncio.start_server(connection, "127.0.0.1", port, backlog=4096)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


def _reply(loaded: dict[str, bytes], file: str) -> bytes:
    """The whole HTTP response for a body file (files shared between paths are read once)."""
    if file not in loaded:
        body = Path(file).read_bytes()
        loaded[file] = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
            len(body), body)
    return loaded[file]


if __name__ == "__main__":
    main()
