"""Filling a draft's source from a sample of the product's JSON (``launchwatch draft --from-json``).

The draft names each metric after the document's phrase ("Checkout p95 latency" →
``checkout_p95_latency_seconds``); ``launchwatch init`` reads the sample's fields with their units
(``$.checkout.latency_p95_ms``, scale 0.001). A field whose words are the phrase's words, in a unit that
can hold it, takes the draft metric's place: the thresholds keep their metric, the source gets the path.
A phrase two fields match equally well, or none, stays TODO for the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from launchwatch.plan.starter import Sample, plan_name, sample_mappings, word_tokens

__all__ = ["Filled", "fill_source"]

# words that say a unit or a reading, not what is measured
_UNIT_WORDS = {"ratio", "seconds", "second", "bytes", "total", "ms", "millisecond", "milliseconds", "sec", "secs",
               "pct", "percent", "percentage", "count", "value", "num", "number", "current", "avg", "average", "mean"}
_MIN_SCORE = 0.5  # at least half of the two names' words shared


@dataclass
class Filled:
    """What the sample gave: (draft metric, JSON path) pairs, draft metrics left TODO (with why), and the
    sample's fields no threshold needs."""

    matched: list[tuple[str, str]] = field(default_factory=list)
    todo: list[tuple[str, str]] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")) else word


def _words(*texts: str) -> set[str]:
    return {_stem(w) for t in texts for w in word_tokens(t)} - _UNIT_WORDS


def _unit(name: str) -> str:
    return next((u for u in ("seconds", "bytes", "ratio") if name.endswith(f"_{u}")), "")


def _fits(draft: dict[str, Any], found: dict[str, Any]) -> bool:
    """A duration or a size only from a field in that unit; a ratio or a count from neither."""
    want, have = _unit(draft["name"]), _unit(found["name"])
    return want == have if want in ("seconds", "bytes") or have in ("seconds", "bytes") else True


def _score(draft: dict[str, Any], found: dict[str, Any]) -> float:
    wanted = _words(draft["name"])
    have = _words(found["name"], *found["path"].split("."), *found.get("const_labels", {}).values())
    if not wanted or not _fits(draft, found):
        return 0.0
    # of two fields with the same words ("connections.used" and "connections.usedRatio"), the one in the unit
    same_unit = _unit(draft["name"]) == _unit(found["name"])
    return len(wanted & have) / len(wanted | have) + (0.001 if same_unit else 0.0)


def fill_source(plan: dict[str, Any], sample: Sample) -> Filled:
    """Point the draft's TODO source at ``sample``'s fields (in place); what was matched and what was not."""
    source = next((s for s in plan["sources"] if "metrics" in s), None)
    if source is None:  # a draft of objectives only: its one source is the health probe
        return Filled()
    found, _ = sample_mappings(sample)
    scores = sorted(((_score(d, f), i, j) for i, d in enumerate(source["metrics"]) for j, f in enumerate(found)),
                    key=lambda s: (-s[0], s[1], s[2]))
    out = Filled()
    taken_d: set[int] = set()
    taken_f: set[int] = set()
    for score, i, j in scores:
        if score < _MIN_SCORE or i in taken_d or j in taken_f:
            continue
        rivals = [found[k]["path"] for s, d, k in scores if d == i and s == score and k != j and k not in taken_f]
        draft = source["metrics"][i]
        taken_d.add(i)
        if rivals:
            out.todo.append((draft["name"], f"{found[j]['path']} and {rivals[0]} match it equally"))
            continue
        taken_f.add(j)
        f = found[j]
        draft.update({k: v for k, v in f.items() if k not in ("name", "type", "help")})
        labelled = f" One series per {', '.join(f['labels'])}: each is judged." if f.get("labels") else ""
        draft["help"] = (f"{f['help']} Matched to the document's phrase by its words: check it measures what "
                         f"the thresholds say.{labelled}")
        out.matched.append((draft["name"], f["path"]))
    order = {d["name"]: i for i, d in enumerate(source["metrics"])}
    out.matched.sort(key=lambda m: order[m[0]])
    out.todo += [(d["name"], "no field of the sample has its words") for i, d in enumerate(source["metrics"])
                 if i not in taken_d]
    out.unused = [f["path"] for j, f in enumerate(found) if j not in taken_f]
    if sample.url:
        parts = urlsplit(sample.url)
        plan["base_url"] = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        source["url"] = urlunsplit(("", "", parts.path or "/", parts.query, ""))
        source["description"] = f"the product's endpoint {sample.url} (the sample {sample.origin})"
    source["name"] = plan_name(sample.name_hint, fallback="product")
    return out
