"""A minimal fast JSON server for benchmarks (asyncio: thousands of keep-alive connections, no threads).

    python bench/upstream.py PORT BODY.json [BODY2.json ...]

Every path answers with the bodies in turn, so two files mean the values change on every request;
``/-/hits`` answers how many documents were served.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from pathlib import Path


def main() -> None:
    port = int(sys.argv[1])
    bodies = [Path(p).read_bytes() for p in sys.argv[2:]]
    replies = [b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(b), b)
               for b in bodies]
    turn = itertools.cycle(replies)
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
                    writer.write(next(turn))
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


if __name__ == "__main__":
    main()
