"""Prometheus alerting rules a document already holds: a rules file, or its rules pasted in a code block.

A team moving off hand-written rules brings them along ("- alert: SearchSlow / expr: … > 1.5 / for: 10m /
labels: severity: ticket"). Each rule's comparison, ``for`` and severity label are its threshold, its name
the alert's; its expression is kept in the note, since the draft's metric stands in for it. Read line by
line, the same text would give nonsense (``expr: histogram_quantile(0.99, …) > 1.5`` a target on "expr").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from launchwatch.draft.findings import Finding, Unclear
from launchwatch.draft.quantities import duration_seconds
from launchwatch.draft.text import Line
from launchwatch.draft.tiers import tier_in

__all__ = ["COMPARISON_RE", "block_end", "promql_line", "rule_blocks", "rule_kind", "stand_in_note",
           "watched_words"]

_RULE_RE = re.compile(r"^(?P<indent>\s*)(?:-\s+)?(?P<rule>alert|record):\s*[\"']?(?P<name>[A-Za-z_:][\w:]*)[\"']?\s*$")
_KEY_RE = re.compile(r"^(?P<indent>\s*)(?:-\s+)?(?P<key>[A-Za-z_]\w*):\s*(?P<value>.*)$")
# the comparison that closes the expression: "… > 1.5", "… == 0", "… < bool 0.9"
COMPARISON_RE = re.compile(r"(?P<op>==|!=|>=|<=|>|<)\s*(?:bool\s+)?(?P<num>-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)"
                            r"\s*\)?\s*$", re.I)
# a bare selector ("queue_depth{queue=\"orders\"}"): its metric names the signal
_SELECTOR_RE = re.compile(r"^\s*(?P<metric>[A-Za-z_:][\w:]*)\s*(?:\{(?P<labels>[^}]*)\})?\s*$")
_JOB_RE = re.compile(r"\bjob\s*=\s*\"(?P<job>[\w.-]+)\"")
_SPLIT_NAME_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|_")


def stand_in_note(source: str, expr: str, more: str = "") -> str:
    """The note of a threshold read from a rule or query the document holds: the draft's metric stands in for
    its expression until the user points it at the same measure."""
    return f"{source}: its metric stands in for `{expr}`{more}; point it at the field that measures the same"


def _indent(raw: str) -> int:
    return len(raw.expandtabs(4)) - len(raw.expandtabs(4).lstrip())


def block_end(lines: list[Line], start: int) -> int:
    """The index after the rule that opens at ``start``: the lines indented deeper than its ``- alert:``."""
    opening = _indent(lines[start].raw)
    end = start + 1
    while end < len(lines):
        raw = lines[end].raw
        if raw.strip() and (_indent(raw) <= opening or raw.strip().startswith(("```", "~~~"))):
            break
        end += 1
    while end > start + 1 and not lines[end - 1].raw.strip():
        end -= 1
    return end


def _fields(lines: list[Line], start: int, end: int) -> dict[str, tuple[str, int]]:
    """Each key of the rule (labels and annotations flattened) with its value and the line it is on; a
    multi-line value (``expr: |``) is joined."""
    out: dict[str, tuple[str, int]] = {}
    i = start
    while i < end:
        m = _KEY_RE.match(lines[i].raw)
        i += 1
        if not m:
            continue
        key, value, at = m.group("key").lower(), m.group("value").strip(), i - 1
        if value in ("|", ">", "|-", ">-", "|+", ">+"):
            parts = []
            deeper = _indent(lines[at].raw)
            while i < end and (not lines[i].raw.strip() or _indent(lines[i].raw) > deeper):
                if lines[i].raw.strip():
                    parts.append(lines[i].raw.strip())
                    at = i
                i += 1
            value = " ".join(parts)
        out.setdefault(key, (value.strip("\"'"), at))
    return out


def rule_kind(expr: str, value: float) -> str:
    """The kind of what a rule's expression compares: an up check, a duration, a size, a ratio or a count."""
    selector = _SELECTOR_RE.match(expr)
    if selector and re.fullmatch(r"up|\w+_up", selector.group("metric")):
        return "up"
    if re.search(r"seconds|duration|latency", expr, re.I):
        return "duration"
    if re.search(r"bytes", expr, re.I):
        return "size"
    if selector and selector.group("metric").endswith("_ratio"):
        return "ratio"  # ("search_cache_hit_ratio < 0.6")
    if "/" in expr and 0 < value <= 1:
        return "ratio"
    return "count"


def _phrase(name: str, left: str) -> str:
    """What the rule watches: a bare selector's metric ("up{job=\"search\"}" watches "search"), else the alert's
    name in words ("SearchSlow" is "search slow")."""
    selector = _SELECTOR_RE.match(left)
    if selector and selector.group("metric") != "up":
        return selector.group("metric").replace("_", " ").replace(":", " ")
    job = _JOB_RE.search(selector.group("labels") or "") if selector else None
    if job:
        return job.group("job")  # (its kind, up, names it search_up)
    return " ".join(watched_words(name))


def watched_words(name: str) -> list[str]:
    """An alert's name in words, without the condition it ends in: "CheckoutErrorRateHigh", "Points API error
    rate high" watch the error rate."""
    words = [w.lower() for w in _SPLIT_NAME_RE.split(name.replace(" ", "_")) if w]
    while len(words) > 1 and words[-1] in _CONDITION_WORDS:
        words.pop()
    if len(words) > 1 and words[-1] == "too":
        words.pop()
    return words


# what an alert's name says of the value, not what the value is
_CONDITION_WORDS = {"high", "low", "elevated", "spike", "spiking", "increasing", "rising", "dropping", "critical",
                    "warning", "exceeded", "breached", "breach", "alert", "alerting", "abnormal"}


def rule_blocks(lines: list[Line], paths: list[list[str]]) -> tuple[list[Finding], list[Unclear], set[int]]:
    """The thresholds of the Prometheus alerting rules in ``lines``, what could not be read of them, and the
    line indices they take (no other shape reads those)."""
    findings: list[Finding] = []
    unclear: list[Unclear] = []
    taken: set[int] = set()
    i = 0
    while i < len(lines):
        m = _RULE_RE.match(lines[i].raw)
        if not m:
            i += 1
            continue
        end = block_end(lines, i)
        fields = _fields(lines, i, end)
        if "expr" not in fields:
            i += 1
            continue
        name = m.group("name")
        expr, at = fields["expr"]
        # (a rules file's own keys, "groups:" and "rules:", read as label headings: no section of the document)
        path = [h for h in paths[i] if not re.fullmatch(r"[a-z_][a-z0-9_]*", h)]
        taken.update(range(i, end))
        if m.group("rule") == "record":
            i = end  # a recording rule computes a series; its comparison, if any, filters, alerting on nothing
            continue
        cmp = COMPARISON_RE.search(expr)
        if cmp is None:
            unclear.append(Unclear(lines[at].number, f"{name}: {expr}", path,
                                   f"line {lines[at].number}: the Prometheus rule {name} compares no number at the "
                                   "end of its expression: keep it as a hand-written rule"))
            i = end
            continue
        value = float(cmp.group("num"))
        severity = fields.get("severity", ("", 0))[0]
        tier = (tier_in(severity) or severity.strip(" .*").upper()) if severity else "ALERT"
        hold = duration_seconds(fields["for"][0]) if "for" in fields else None
        summary = fields.get("summary", ("", 0))[0]
        phrase = _phrase(name, expr[:cmp.start()])
        excerpt = f"{name}: {expr}" + (f" for {fields['for'][0]}" if "for" in fields else "")
        findings.append(Finding(
            lines[at].number, phrase, cmp.group("op"), value, rule_kind(expr[:cmp.start()], value), tier, path, excerpt,
            for_=hold if hold is not None else 0.0, name=name,
            note=stand_in_note(f"the Prometheus rule {name}", expr[:cmp.start()].strip(),
                               f" ({summary})" if summary else "")))
        i = end
    return findings, unclear, taken


_PROMQL_FUNCTIONS = ("sum", "avg", "min", "max", "count", "rate", "irate", "increase", "delta", "deriv",
                     "histogram_quantile", "absent", "topk", "bottomk", "quantile", "time", "changes", "resets")
# what only PromQL writes: a function called on its argument, a selector's labels, a range ("rate(x[5m])")
_PROMQL_MARK_RE = re.compile(rf"\b(?:{'|'.join(_PROMQL_FUNCTIONS)}|[a-z]+_over_time)\(|"
                             r"[A-Za-z_:][\w:]*\{[^{}]*[=~][^{}]*\}|\[\d+[smhdwy]\]")
# how long ago a timestamp was: "time() - job_last_success_timestamp_seconds", "time() - max(…{job=\"x\"})"
_SINCE_RE = re.compile(r"^time\(\)\s*-\s*(?:(?:max|min)\s*(?:by\s*\([^()]*\)\s*)?\(\s*)?(?P<metric>[A-Za-z_:][\w:]*)")
_PROMQL_CHARS_RE = re.compile(r"^[\w:{}\[\]()\"'=~!,.\s/*+\-<>^%]+$")
_PROMQL_WORDS = {*_PROMQL_FUNCTIONS, "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
                 "unless", "bool", "offset", "le"}


def promql_line(line: Line, path: list[str], tier: Callable[[], str], expression: bool = False) -> Finding | None:
    """A line that is a PromQL expression closed by a comparison ("sum(rate(partner_timeouts_total[5m])) > 0.5"),
    pasted from a dashboard or a rule: the comparison is the threshold, the metric it reads names the signal, and
    the note keeps the expression (the draft's metric stands in for it). None for any other line: read as words,
    "rate(…) > 0.5" was a target on "sum rate partner timeouts total 5m", below 0.5. ``tier`` is asked only of
    such a line. ``expression``: the text is known to be one (a catalogue's "Expression" cell), so a bare
    selector ("search_cache_hit_ratio < 0.6") is one too."""
    text = re.sub(r"^\s*(?:expr|query|expression|promql)\s*:\s*", "", line.text, flags=re.I)
    cmp = COMPARISON_RE.search(text)
    expr = text[:cmp.start()].strip() if cmp else ""
    if cmp is None or not (_PROMQL_MARK_RE.search(expr) or (expression and _SELECTOR_RE.match(expr))) or \
            not _PROMQL_CHARS_RE.match(expr):
        return None
    value = float(cmp.group("num"))
    since = _SINCE_RE.match(expr)
    if since:  # "time() - indexer_last_success_timestamp_seconds > 1800": the age of the last success, above 1800 s
        words = [w for w in since.group("metric").split("_") if w and w not in ("timestamp", "seconds", "time", "unix")]
        return Finding(line.number, " ".join([*words, "age"]), cmp.group("op"), value, "duration", tier(), path,
                       line.text, for_=0.0, note=stand_in_note("the PromQL on this line", expr))
    if _SELECTOR_RE.match(expr):  # "up{job=\"search\"} == 0": the search job's check, as a rule file's is read
        phrase = _phrase("", expr)
    else:
        bare = re.sub(r"\{[^{}]*\}|\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", " ", expr)
        metrics = [m.group(0) for m in re.finditer(r"(?<![\w:.])[A-Za-z_:][\w:]*(?![\w:(])", bare)
                   if m.group(0) not in _PROMQL_WORDS and not re.fullmatch(r"\d+[smhdwy]", m.group(0))]
        if not metrics:
            return None
        words = re.sub(r"_(?:bucket|total|count|sum|seconds|bytes)\b", "", metrics[0]).replace(":", "_").split("_")
        quantile = re.search(r"histogram_quantile\(\s*0?\.(\d+)", expr)
        phrase = " ".join(([f"p{quantile.group(1)[:2].ljust(2, '0')}"] if quantile else []) + [w for w in words if w])
    return Finding(line.number, phrase, cmp.group("op"), value, rule_kind(expr, value), tier(), path, line.text,
                   note=stand_in_note("the PromQL on this line", expr))
