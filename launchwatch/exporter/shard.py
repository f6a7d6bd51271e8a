"""This instance's share of a plan's sources (``--shard i/n``).

Its own small module: ``launchwatch run`` checks the option before it imports anything that serves.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

__all__ = ["Shard"]


@dataclass(frozen=True)
class Shard:
    """This instance's share of the sources (``--shard i/n``), split by a stable hash of the name."""

    index: int = 0
    count: int = 1

    def owns(self, source: Any) -> bool:
        return self.count == 1 or zlib.crc32(source.name.encode()) % self.count == self.index

    @classmethod
    def parse(cls, text: str) -> Shard:
        index, _, count = text.partition("/")
        shard = cls(int(index), int(count))
        if not 0 <= shard.index < shard.count:
            raise ValueError(f"shard {text!r}: need 0 <= i < n in i/n")
        return shard
