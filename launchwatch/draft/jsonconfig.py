"""Thresholds kept in a JSON file ("error_rate": {"warning": 0.02, "critical": 0.05, "for": "5m"}), read as the
YAML config it is the same as: one "key: value" line per value, each numbered with the line of the file the key
is on, so a JSON config drafts as its YAML twin does. PyYAML reads the JSON (YAML's flow style) and says where
each key stands; a file the json module rejects is no JSON config.
"""

from __future__ import annotations

import json

import yaml

__all__ = ["is_json", "json_lines"]


def is_json(content: str) -> bool:
    """Whether ``content`` is a JSON object or array (not a document that merely opens with a brace)."""
    if not content.lstrip().startswith(("{", "[")):
        return False
    try:
        return isinstance(json.loads(content), (dict, list))
    except (ValueError, RecursionError):  # (nested deeper than Python recurses: no config, read as text)
        return False


def _lines(node: yaml.Node, indent: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            number = key.start_mark.line + 1
            if isinstance(value, yaml.ScalarNode):
                out.append((number, f"{indent}{key.value}: {value.value}"))
            else:
                out.append((number, f"{indent}{key.value}:"))
                out += _lines(value, indent + "  ")
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if isinstance(item, yaml.ScalarNode):
                out.append((item.start_mark.line + 1, f"{indent}- {item.value}"))
                continue
            inner = _lines(item, indent + "  ")
            if inner:  # the item's first key on the dash's line, as YAML writes a list of mappings
                inner[0] = (inner[0][0], f"{indent}- {inner[0][1].lstrip()}")
            out += inner
    elif isinstance(node, yaml.ScalarNode):
        out.append((node.start_mark.line + 1, f"{indent}{node.value}"))
    return out


def json_lines(content: str) -> list[tuple[int, str]] | None:
    """The JSON document as YAML lines, each with the line of the file its key is on; None when PyYAML cannot
    read it (a tab YAML forbids, say): then the file is read as text, line for line."""
    try:
        node = yaml.compose(content, Loader=yaml.SafeLoader)
        return _lines(node, "") if node is not None else None
    except (yaml.YAMLError, RecursionError):
        return None
