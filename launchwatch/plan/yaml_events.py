"""Plain YAML read straight from libyaml's events: the plan loader's fast path.

PyYAML's own loading composes a node tree first (a Python object with two position marks for
every scalar) and then constructs values from it in Python. For a plan of 1,000 sources that tree
is some 100,000 nodes: about a second of CPU and tens of MiB that the allocator keeps after they
are freed. Here the same C parser's events are turned into dicts, lists and values as they come,
with PyYAML's own implicit resolvers and constructors, so the result is the library's.

Only the plain subset a plan is written in is read here: mappings with string keys, sequences,
untagged scalars and aliases, nested at most ``MAX_NESTING`` deep with at most ``MAX_REPEATS`` values
repeated by aliases. Anything else (tags, non-string or duplicate keys, unquoted boolean keys,
merge keys, several documents, errors) returns ``None``,
and the loader's full path reads the text and says what is wrong, with lines and keys.
tests/test_yaml_events.py holds the results equal to PyYAML's on generated and real plans.

>>> read_plain("a: 1\\nb: [x, 'y']\\n")
{'a': 1, 'b': ['x', 'y']}
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["MAX_NESTING", "MAX_REPEATS", "read_plain"]

MAX_NESTING = 100  # deeper documents take the full path, which bounds nesting with its own message
MAX_REPEATS = 100_000  # values aliases may repeat, as the full path counts them

_Parser = getattr(yaml, "CSafeLoader", None)
_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers  # first character -> [(tag, regexp)]
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_BUILT = {tag: _CONSTRUCTOR.yaml_constructors[tag] for tag in (
    "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", _BOOL, "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp")}


class _NotPlain(Exception):
    """The text leaves the plain subset: the full path reads it."""


def _resolve(value: str, plain: bool) -> str:
    """The tag PyYAML's resolver gives an untagged scalar (``Resolver.resolve`` for scalars)."""
    if not plain:
        return _STR
    candidates = _RESOLVERS.get(value[0] if value else "", ())
    for tag, regexp in candidates:
        if regexp.match(value):
            return tag
    return _STR


def _scalar(event: yaml.ScalarEvent) -> Any:
    if event.tag is not None or event.anchor is not None:
        raise _NotPlain
    value = event.value
    tag = _resolve(value, event.implicit[0])
    if tag == _STR:
        return value
    build = _BUILT.get(tag)
    if build is None:  # '<<' (merge), '=' (value): the full path decides
        raise _NotPlain
    try:
        return build(_CONSTRUCTOR, yaml.ScalarNode(tag, value))
    except Exception:  # e.g. a date that is no date: the full path names it
        raise _NotPlain from None


def read_plain(text: str) -> Any:
    """The value of ``text`` if it is one document of the plain subset, else None.

    None also for an empty document: the full path says what that means where it is read.
    """
    if _Parser is None:
        return None
    parser = _Parser(text)
    try:
        return _read(parser)
    except (_NotPlain, yaml.YAMLError):
        return None
    finally:
        parser.dispose()


def _read(parser: Any) -> Any:
    get = parser.get_event
    if not isinstance(get(), yaml.StreamStartEvent) or not isinstance(get(), yaml.DocumentStartEvent):
        raise _NotPlain
    # An alias stands for its anchor's value (shared here: the values are only read), counted as the
    # full path counts it: every value it repeats (MAX_REPEATS), and how deep it nests.
    anchors: dict[str, tuple[Any, int, int]] = {}  # name -> (value, values in it, levels below it)
    repeats = 0
    # the containers being filled: [container, key waiting for its value (mappings only), anchor, values, levels]
    stack: list[list[Any]] = []
    root: Any = None
    while True:
        event = get()
        kind = type(event)
        size, height = 1, 0
        if kind is yaml.ScalarEvent:
            if stack and stack[-1][1] is _KEY:  # a mapping's key
                if event.tag is not None or event.anchor is not None:
                    raise _NotPlain
                key = event.value
                if _resolve(key, event.implicit[0]) != _STR or key in stack[-1][0]:
                    raise _NotPlain  # not a string key (e.g. yes, 1, null), or a duplicate
                stack[-1][1] = key
                continue
            value = _scalar(event)
            anchor = event.anchor
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.tag is not None or len(stack) >= MAX_NESTING or (stack and stack[-1][1] is _KEY):
                raise _NotPlain  # tagged, too deep, or a collection as a key
            mapping = kind is yaml.MappingStartEvent
            stack.append([{} if mapping else [], _KEY if mapping else None, event.anchor, 1, 0])
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            value, _, anchor, size, height = stack.pop()
        elif kind is yaml.AliasEvent:
            if event.anchor not in anchors or (stack and stack[-1][1] is _KEY):
                raise _NotPlain  # undefined, not yet complete (an alias inside its own value), or a key
            value, size, height = anchors[event.anchor]
            repeats += size
            if repeats > MAX_REPEATS or len(stack) + height > MAX_NESTING:
                raise _NotPlain
            anchor = None
        elif kind is yaml.DocumentEndEvent:
            break
        else:
            raise _NotPlain
        if anchor is not None:
            if anchor in anchors:
                raise _NotPlain  # PyYAML refuses a duplicate anchor
            anchors[anchor] = (value, size, height)
        if not stack:
            root = value
            continue
        top = stack[-1]
        top[3] += size
        top[4] = max(top[4], height + 1)
        if top[1] is None:
            top[0].append(value)
        else:
            top[0][top[1]] = value
            top[1] = _KEY
    if not isinstance(get(), yaml.StreamEndEvent):
        raise _NotPlain  # a second document
    return root


class _Key:
    """Marks a mapping waiting for its next key."""


_KEY = _Key()
