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


def _resolve(value: str) -> str:
    """The tag PyYAML's resolver gives an untagged plain scalar (``Resolver.resolve`` for scalars)."""
    for tag, regexp in _RESOLVERS.get(value[0] if value else "", ()):
        if regexp.match(value):
            return tag
    return _STR


def _construct(tag: str, value: str) -> Any:
    """A plain scalar that is no string: PyYAML's own constructor makes it."""
    build = _BUILT.get(tag)
    if build is None:  # '<<' (merge), '=' (value): the full path decides
        raise _NotPlain
    try:
        return build(_CONSTRUCTOR, yaml.ScalarNode(tag, value))
    except Exception:  # e.g. a date that is no date: the full path names it
        raise _NotPlain from None


def _measure(value: Any) -> tuple[int, int]:
    """(values in ``value``, levels below it) as the full path counts them when an alias repeats it."""
    count = 0
    height = 0
    todo = [(value, 0)]
    while todo:
        node, depth = todo.pop()
        count += 1
        if count > MAX_REPEATS:
            raise _NotPlain
        height = max(height, depth)
        if type(node) is dict:
            todo.extend((v, depth + 1) for v in node.values())
        elif type(node) is list:
            todo.extend((v, depth + 1) for v in node)
    return count, height


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
    scalar, alias, document_end = yaml.ScalarEvent, yaml.AliasEvent, yaml.DocumentEndEvent
    mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    # An alias stands for its anchor's value (shared here: the values are only read), counted as the
    # full path counts it: every value it repeats (MAX_REPEATS), and how deep it nests.
    anchors: dict[str, tuple[Any, int, int]] = {}  # name -> (value, values in it, levels below it)
    repeats = 0
    # the containers being filled: [container, _KEY (a mapping waiting for a key) or the key or _ITEM, anchor]
    stack: list[list[Any]] = []
    root: Any = None
    while True:
        event = get()
        kind = type(event)
        if kind is scalar:
            if event.tag is not None:
                raise _NotPlain
            value = event.value
            plain = event.implicit[0]
            if stack and stack[-1][1] is _KEY:  # a mapping's key
                if event.anchor is not None or (plain and _resolve(value) != _STR) or value in stack[-1][0]:
                    raise _NotPlain  # anchored, not a string (e.g. yes, 1, null), or a duplicate
                stack[-1][1] = value
                continue
            if plain:
                tag = _resolve(value)
                if tag != _STR:
                    value = _construct(tag, value)
            anchor = event.anchor
        elif kind is mapping_start or kind is sequence_start:
            if event.tag is not None or len(stack) >= MAX_NESTING or (stack and stack[-1][1] is _KEY):
                raise _NotPlain  # tagged, too deep, or a collection as a key
            stack.append([{}, _KEY, event.anchor] if kind is mapping_start else [[], _ITEM, event.anchor])
            continue
        elif kind is mapping_end or kind is sequence_end:
            value, _, anchor = stack.pop()
        elif kind is alias:
            found = anchors.get(event.anchor)
            if found is None or (stack and stack[-1][1] is _KEY):
                raise _NotPlain  # undefined, not yet complete (an alias inside its own value), or a key
            value, size, height = found
            repeats += size
            if repeats > MAX_REPEATS or len(stack) + height > MAX_NESTING:
                raise _NotPlain
            anchor = None
        elif kind is document_end:
            break
        else:
            raise _NotPlain
        if anchor is not None:
            if anchor in anchors:
                raise _NotPlain  # PyYAML refuses a duplicate anchor
            anchors[anchor] = (value, *_measure(value))
        if not stack:
            root = value
            continue
        top = stack[-1]
        if top[1] is _ITEM:
            top[0].append(value)
        else:
            top[0][top[1]] = value
            top[1] = _KEY
    if not isinstance(get(), yaml.StreamEndEvent):
        raise _NotPlain  # a second document
    return root


class _Marker:
    """_KEY: a mapping waits for its next key; _ITEM: a sequence takes items."""


_KEY, _ITEM = _Marker(), _Marker()
