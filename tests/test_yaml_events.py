"""The loader's fast path (launchwatch.plan.yaml_events) reads what PyYAML and the loader's full path read.

Whatever ``read_plain`` accepts must equal the full path's value; whatever it declines (None) goes to the
full path, which says what is wrong. So every case below is either equal or declined, never different.
"""

from __future__ import annotations

import datetime

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from launchwatch.plan import builtin_plan_path, builtin_plans, load_plan_text
from launchwatch.plan.loader import PlanError, _parse_yaml
from launchwatch.plan.yaml_events import MAX_NESTING, read_plain


def full_path(text: str):
    """The loader's own reading (line map and all), or the PlanError it raises."""
    try:
        return _parse_yaml(text, "t.yml")[0]
    except PlanError as exc:
        return exc


def same_or_declined(text: str) -> object:
    fast = read_plain(text)
    if fast is not None:
        full = full_path(text)
        assert not isinstance(full, PlanError), (text, full)
        assert fast == full, text
        assert type(fast) is type(full)
    return fast


def test_builtin_plans_read_the_same_on_the_fast_path():
    for name in builtin_plans():
        text = builtin_plan_path(name).read_text()
        assert same_or_declined(text) is not None, name


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20),
    st.floats(allow_nan=False), st.text(max_size=12),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 1, 1)),
)
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(documents, st.booleans(), st.booleans())
def test_dumped_documents_read_the_same(doc, flow, share):
    value = {"a": doc, "b": doc} if share else doc  # a shared value is dumped as an anchor and an alias
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    fast = same_or_declined(text)
    if fast is not None:
        assert fast == yaml.safe_load(text)


# plain scalars that PyYAML's YAML 1.1 resolvers read as something else than text
ODD = ["yes", "No", "on", "OFF", "y", "n", "true", "False", "~", "null", "Null", "", "0x1F", "0o17", "017", "0b101",
       "1_000", "1:30", "190:20:30", "-1", "+7", ".5", "1e3", "1.0e+3", "6.8523015e+5", ".inf", "-.Inf", ".nan",
       "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-13-45", "<<", "=", "=x", "x", "@x", "$.a[*]", "'q'",
       '"d"', "a b", "1.2.3", "0x", "12:60", "!x", "&a x", "*a", "- x", "? x", "[1, 2]", "{a: 1}", "|", "%x"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(ODD), st.sampled_from(ODD)), min_size=1, max_size=5))
def test_odd_plain_scalars_read_the_same_or_go_to_the_full_path(pairs):
    text = "".join(f"{k}: {v}\n" for k, v in pairs)
    same_or_declined(text)
    same_or_declined("".join(f"- {v}\n" for _, v in pairs))
    same_or_declined("".join(f"k{i}: [{v}]\n" for i, (_, v) in enumerate(pairs)))


def test_what_the_fast_path_declines():
    declined = [
        "",  # empty: the full path says so
        "---\n",
        "a: 1\n---\nb: 2\n",  # two documents
        "yes: 1\n",  # an unquoted boolean key
        "1: x\n",  # a number as a key
        "? [a]\n: x\n",  # a collection as a key
        "a: 1\na: 2\n",  # a duplicate key
        "a: !!str 1\n",  # tags
        "a: !!python/object/apply:os.system [x]\n",
        "a: !!set {x}\n",
        "a: &x 1\nb: &x 2\n",  # a duplicate anchor
        "a: *nothing\n",  # an undefined alias
        "a: &a [*a]\n",  # an alias inside its own value
        "base: &b {x: 1}\nc:\n  <<: *b\n",  # a merge key
        "a: 2001-13-45\n",  # a date that is no date
        "a: [1, 2\n",  # not YAML
        "a: " + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1) + "\n",  # deeper than the full path allows
    ]
    for text in declined:
        assert read_plain(text) is None, text


def test_aliases_count_every_value_they_repeat():
    laughs = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdef"):
        prev = "abcde"[i]
        laughs.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    text = "\n".join(laughs) + "\n"  # 10**6 values: refused by the full path, declined here
    assert read_plain(text) is None
    assert isinstance(full_path(text), PlanError)
    small = "a: &a {x: 1, y: [1, 2]}\nb: *a\nc: [*a, *a]\n"
    assert same_or_declined(small) == {"a": {"x": 1, "y": [1, 2]}, "b": {"x": 1, "y": [1, 2]},
                                       "c": [{"x": 1, "y": [1, 2]}, {"x": 1, "y": [1, 2]}]}


def test_a_plan_with_a_problem_still_names_its_line():
    text = "plan: t\ntitle: T\nsources:\n  - name: s\n    url: http://x/\n    metrics:\n" \
           "      - {name: a, help: H., type: gauge, path: '$.x', scale: nope}\n"
    try:
        load_plan_text(text, "t.yml")
    except PlanError as exc:
        assert [p.line for p in exc.problems] == [7], exc
    else:
        raise AssertionError("the plan loaded")
