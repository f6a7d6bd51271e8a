"""The TODO markers a drafted plan leaves for the user: ``check`` warns at each, without failing."""

from __future__ import annotations

from pathlib import Path

import yaml

__all__ = ["todo_warnings"]


def _walk(node: yaml.Node, key: str, out: list[tuple[int, str, str]]) -> None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            name = str(k.value)
            _walk(v, f"{key}.{name}" if key else name, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _walk(v, f"{key}[{i}]", out)
    elif isinstance(node, yaml.ScalarNode) and "TODO" in str(node.value):
        out.append((node.start_mark.line + 1, key, str(node.value)))


def todo_warnings(path: str | Path) -> list[str]:
    """``file:line: key: TODO: …`` for every value still marked TODO (none when unreadable).

    >>> todo_warnings("draft.yml")  # doctest: +SKIP
    ['draft.yml:12: sources[0].url: TODO: the product\\'s URL']
    """
    try:
        node = yaml.compose(Path(path).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return []
    found: list[tuple[int, str, str]] = []
    if node is not None:
        _walk(node, "", found)
    out = []
    for line, key, value in found:
        what = value.split("TODO", 1)[1].lstrip(":. ") if "TODO:" in value else ""
        if not what:
            what = {"url": "the product's URL", "path": "the JSON path of this metric in the response"}.get(
                key.rsplit(".", 1)[-1], f"fill in {value!r}")
        out.append(f"{path}:{line}: {key}: TODO: {what}")
    return out
