"""The shapes thresholds take in launch documents, read line by line.

Bullets under a severity heading, ``IF x > 10% for 5 minutes`` blocks, Metric / Target / Alert
blocks, Markdown and space-aligned tables with Target / Alert columns, "Alert if > 80%",
"Zero X in 30 min", response and resolution targets per priority, IF blocks whose ACTION names the
tier. Each finding keeps the line its number is on; what has no number to judge goes to ``Unclear``
with its line (or, for a failure a tier names, to ``failures``). Beside it: ``subjects`` names the signal,
``sentences`` reads prose (wrapped lines too), ``catalogue`` alert-per-heading blocks, ``cells`` table rows.
"""

from __future__ import annotations

import itertools
import math
import re
from functools import partial

from launchwatch.draft.budgets import budget_burn, burn_rate, burn_rate_row
from launchwatch.draft.catalogue import per_alert_blocks
from launchwatch.draft.cells import aligned_cells, table_cells
from launchwatch.draft.conditions import (
    BAD_STATE_RE,
    BLOCKS_RE,
    CONDITION_WORD_RE,
    CROSSES_RE,
    DONE_NOUNS,
    FAST_SHARE_RE,
    GOOD_BEFORE_RE,
    GOOD_STATE_RE,
    KEEP_RE,
    NO_ALERT_RE,
    NOT_DONE_RE,
    RELATIVE_CELL_RE,
    ROLLS_BACK_RE,
    SLOW_SHARE_RE,
    TOLD_RE,
    VERDICT_AFTER_RE,
)
from launchwatch.draft.failures import (
    RULE_PREFIX_RE,
    expected_state,
    failed_in_a_row,
    failure_findings,
    names_an_outage,
)
from launchwatch.draft.fielded import field_blocks
from launchwatch.draft.findings import Finding, Unclear
from launchwatch.draft.grafana_rules import grafana_rule_blocks
from launchwatch.draft.holds import (
    StandingHold,
    StandingTier,
    apply_holds,
    apply_tiers,
    named_tier_holds,
    standing_hold,
    standing_tier,
)
from launchwatch.draft.monitors import monitor_blocks
from launchwatch.draft.names import WRITTEN_KINDS, written_metric
from launchwatch.draft.outline import heading_level, is_lead_in, outline, parent_bullets, underlined_titles
from launchwatch.draft.phases import phase_in
from launchwatch.draft.promrules import promql_line, rule_blocks, watched_words
from launchwatch.draft.quantities import (
    Quantity,
    duration_seconds,
    find_quantities,
    in_unit,
    key_unit_in,
    known_unit,
    negate,
    unit_named_in,
    without_unit_named,
)
from launchwatch.draft.questions import asked_about
from launchwatch.draft.sentences import continues, sentences
from launchwatch.draft.slo_specs import slo_spec_blocks
from launchwatch.draft.subjects import (
    AVAILABILITY_RE,
    IN_NOT_WHERE,
    INLINE_TIER_RE,
    LABEL_RE,
    VERDICT_VERB,
    WINDOW_OVER,
    WORRY_RE,
    antecedent,
    heading_subject,
    named_after,
    subject_of,
)
from launchwatch.draft.text import Line
from launchwatch.draft.tiers import (
    TARGET,
    VERDICT_TIERS,
    action_severity,
    alert_tier,
    carries_on,
    channel_types,
    coded_tier,
    is_alert_context,
    is_target_context,
    medium_alone,
    severity_of,
    tier_in,
    tier_named,
)
from launchwatch.expressions import SLO_PERIOD
from launchwatch.plan.units import format_duration

__all__ = ["Finding", "Unclear", "extract"]

_FOR_RE = re.compile(r"(?:\bfor(?: at least| more than| over)?|\bduration\s*:|\bsustained(?: for)?|\blasting)\s*$",
                     re.I)
_WINDOW_BEFORE_RE = re.compile(r"(?:\bin(?: the| any| a)?(?: last| past| single| rolling| trailing)?|"
                               r"\bfor the (?:last|past)|\bover(?: the)?(?: last| past)?|\bduring|\bper|"
                               r"\bwithin the (?:last|past)|\bevery|/)"
                               r"\s*$", re.I)
_SKIP_BEFORE_RE = re.compile(r"(?:\bevery|\bT[+-]|\bstep|\bphase|\brule|\blevel|\btier|\bweek|\bday|\bpart|"
                             r"\bversion|\bv|#|\bsev|\bitem|\bscenario|\bnumber|\bq|\bhour|\bmonth|\bdays?|"
                             r"\bweeks?|\bmonths?|\bchapter|\bsection|\bappendix|\bfig(?:ure)?\.?|\btable|\bslide|"
                             r"\bpage|\bp\.|§)\s*[-–]?\s*$", re.I)  # (a reference: "(chapter 5)", "see section 3")
_PER = r"(?:/|per |an? |each |every )"  # what says "per" before a period
_PERIOD_UNITS = r"second|sec|minute|min|hour|hr|day|week|month|s|h"  # ("100/s", "20/h")
# the words after a number that say only when it is counted: "20 in an hour", "20 per day", "20 within 10 minutes"
_COUNTED_IN_RE = re.compile(rf"\s*(?:in|within|over|during|{_PER})\s*(?:an?\s+|the\s+)?(?:\d+\s*)?"
                            rf"(?:{_PERIOD_UNITS})s?\b", re.I)
_PERIOD_AFTER_RE = re.compile(rf"^\s*{_PER}(?:(?P<n>\d+)\s*)?(?P<unit>{_PERIOD_UNITS})s?\b", re.I)
_PERIOD_IN_NAME_RE = re.compile(r"(?:/\s?|\bper |\beach |\bevery |\ban? (?=(?:second|minute|hour|day|week|month)\b))"
                                r"(?:(?P<n>\d+)\s*)?(?P<unit>second|sec|minute|min|hour|hr|day|"
                                r"week|month)s?\b", re.I)
# "≥ 99.2 % (weekly)", "98% or better (weekly)"
_ADVERB_PERIOD_RE = re.compile(r"^\s*%?\s*(?:(?:or|and)\s+(?:better|worse)\s*)?\(\s*(hourly|daily|weekly|monthly)\s*\)",
                               re.I)
# "At least 8% of orders are scheduled ahead, measured per week": what the rule before it is measured over
_MEASURED_PER_RE = re.compile(r"\b(?:measured|counted|calculated|computed|evaluated)\s+(?:(?:per|each|every|over an?|"
                              r"over the)\s+(?P<unit>hour|day|week|month)\b|(?P<adverb>hourly|daily|weekly|monthly)\b)",
                              re.I)
_ADVERB_PERIODS = {"hourly": "hour", "daily": "day", "weekly": "week", "monthly": "month"}
# a sentence of its own saying what a signal is measured over: "Conversion is measured hourly."
_MEASURED_SAID_RE = re.compile(r"^\W*(?:the\s+)?(?P<what>[A-Za-z][\w /-]{2,40}?)\s+(?:is|are)\s+(?:measured|counted|"
                               r"calculated|computed|evaluated)\s+(?:per|each|every|over an?|over the|hourly|daily|"
                               r"weekly|monthly)\b", re.I)
_PERIOD_SECONDS = {"second": 1, "sec": 1, "s": 1, "minute": 60, "min": 60, "hour": 3600, "hr": 3600, "h": 3600,
                   "day": 86400, "week": 604800, "month": 2592000}
# "Sign-ups" over "page if none for half an hour": none of what the list item names
_NONE_RE = re.compile(r"\b(?:if|when)\s+(?:there (?:are|is|were)\s+)?(?:none|nothing|no activity)\s+(?:in|for|within|"
                      r"during|over)\s+(?:the\s+)?(?:last\s+|past\s+)?", re.I)
# where a subject named after its number ends: "<$10 ARS customer acquisition cost (blended)"
_SUBJECT_ENDS = rf"[(,;:→]|->|=>|\b(?:for|within|per|every|by|during|between|with)\b|{WINDOW_OVER}|"
# a verb of capacity before its number: "Sustain 500 RPS", "Handle 2,000 QPS"
_CAPACITY_VERB_RE = re.compile(r"(?:sustain|handle|serve|support|process|absorb|withstand|achieve|deliver)s?", re.I)
# a count's subject and the period it is counted per, after the number: "20k payouts per day", "5 orders/hour"
_COUNT_PER_PERIOD_RE = re.compile(rf"\s*(?:[A-Za-z][\w-]*\s+){{0,4}}?[A-Za-z][\w-]*\s*{_PER}(?:\d+\s*)?"
                                  rf"(?:{_PERIOD_UNITS})s?\b", re.I)
# the window a count is tallied over, said after what it counts: "… failed payouts in any 10-minute window"
_COUNTED_OVER_RE = re.compile(r"[^.;,]*?\b(?:in|within|during|over)\s+(?:any\s+|a\s+|the\s+|each\s+|every\s+)?"
                              r"(?:last\s+|past\s+|rolling\s+)?\d", re.I)
# (not "No more than 3 failed payouts in 10 minutes": a bound, compared as such)
_ZERO_RE = re.compile(r"\b(?:zero|no)\s+(?!(?:more|less|fewer|greater|higher|lower|longer|later)\s+than\b)"
                      r"(?P<what>[a-z][\w /-]{2,60}?)\s+(?:in|for|within|during|over)\s+"
                      r"(?:the\s+)?(?:last\s+|past\s+)?", re.I)
# "If invoices generated drop to zero for 10 minutes": none of them in that while
_TO_ZERO_RE = re.compile(r"(?:^|\b(?:if|when|once)\s+)(?:the\s+)?(?P<what>[a-z][\w /-]{2,60}?)\s+(?:drops?|falls?|"
                         r"goes|go|gets?|hits?|reach(?:es)?|stays?|remains?|sits?|is|are)\s+(?:down\s+)?(?:to|at)\s+"
                         r"(?:zero|0)\s+(?:for|in|within|during|over)\s+(?:the\s+)?(?:last\s+|past\s+)?", re.I)
_TIER_TOKEN_RE = re.compile(r"\b(?:P|SEV|Tier )\d\b", re.I)
# "Email alerts for critical issues", "SMS alerts for server downtime": where alerts go, not a failure
_ROUTING_RE = re.compile(r"\b(?:alerts?|notifications?|messages?|integration|updates?|pages?)\s+(?:for|to|on|about)\b",
                         re.I)
_NO_RE = re.compile(r"^(?:no|zero)\s+(?P<what>[a-z][\w /-]{2,80})$", re.I)
_PLACEHOLDER_RE = re.compile(r"\[[A-Z]{1,3}%?\]|\$\[[A-Z]\]|\bX{1,3}(?:\.X+)?%|\[(?:TBD|TODO|number|frequency|"
                             r"NUMERO|baseline[^\]]*)\]", re.I)
# growth as a change, not the team ("→ page the growth on-call", "notify the growth team", "#growth-oncall")
_GROWTH = (r"(?<!page )(?<!notify )(?<!ping )(?<!alert )(?<!tell )growth"
           r"(?!\s+(?:team|on-?call|eng\w*|squad|pod|channel|pm|lead|org\w*|folks|people|group|ops|alerts?)\b)")
# a number "up" or "down" changed: "up 15% vs. last week", "down more than 25% DoD"
_UP_OR_DOWN = r"(?=\s+(?:by\s+)?(?:more\b|over\b|at least\b|[>≥]|\d[\d.]*\s*%))"
# ("payment declines exceed 4%": declines there are a count, not a fall)
# ("conversion falls below 2.5%", "rises above 5%": a level, not a change)
# (not a word of a channel or a path: "→ Slack #growth-alerts")
_DROP_RE = re.compile(rf"(?<![#/-])\b(drops?|decreases?|declines?|falls?|increases?|{_GROWTH}|spikes?|degradation|"
                      r"rises?|jumps?|surges?)\b"
                      r"(?!\s+(?:exceed|below|under|beneath|above|to)\b)(?!\s*:)"  # ("Payment declines: warn at 8%")
                      r"(?!\s+(?:rates?|ratios?|percentage|share|codes?|count)\b)|"  # a level: "card decline rate"
                      rf"\b(?:up|down){_UP_OR_DOWN}", re.I)
# the rest of a bracketed window after a signal's name: "(5m avg)", "(5-minute average)", "(1h rolling)", "(5m)"
_MEASURED_BRACKET_RE = re.compile(r"\s*(?:avg|average|mean|median|rolling|window|rate|sum|total)?\s*[)\]]", re.I)
# what missing a bound does, said after it: "(page if not)", "otherwise warn", "or else page"
_OTHERWISE_RE = re.compile(r"^[^.;]*?(?:\b(page|warn|alert|ticket)\s+(?:if|when)\s+not\b|"
                           r"\botherwise,?\s+(page|warn|alert|ticket)\b|\bor\s+else,?\s+(page|warn|alert|ticket)\b)",
                           re.I)
# a target's word after its bare number: "90% target", "99.9% (SLO)", "3% goal"
_GOAL_AFTER_RE = re.compile(r"\s*\(?\s*(?:target|goal|objective|slo)\s*\)?(?=\s*(?:[,;./]|$|\b(?:and|or|but)\b))", re.I)
# a rung's word beside its number: "0.5% (warn), 2% (page)", "0.5% warn", "warn 0.5%, page 2%", "> 1k → warning"
_RUNG_WORDS = r"(?P<word>warn(?:ing)?|page|crit(?:ical)?)"
# (a hold may stand between: "2% for 5m → warning, 5% for 2m = page")
_RUNG_AFTER_RE = re.compile(r"(?:\s*(?:for|over|sustained(?: for)?)\s+\d+(?:\.\d+)?\s*"
                            r"(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)\b)?"
                            rf"\s*(?:(?:->|→|=>|=)\s*)?\(?\s*{_RUNG_WORDS}\s*\)?(?=\s*(?:[,;./]|$|\b(?:and|or)\b))",
                            re.I)
_RUNG_BEFORE_RE = re.compile(rf"(?:^|[,;:(/—–]\s*|\b(?:and|or)\s+){_RUNG_WORDS}\s*$", re.I)
# a change said with its size after it: "Signups/hour drop by 40% vs same hour last week"
_CHANGE_BY_RE = re.compile(r"\b(?:drop(?:s|ped)?|fall(?:s|en)?|fell|decline[sd]?|decrease[sd]?|dip(?:s|ped)?|"
                           r"rise[sn]?|rose|increase[sd]?|grows?|grew|jump(?:s|ed)?|spike[sd]?)\s+(?:by|of)\s*$", re.I)
# what a change is measured against: "… of the same hour last week", "… yesterday's", "… vs. last week"
# a band around a baseline, said before its share: "within ±5% of last week", "outside +/- 10%", "±5%"
_BAND_RE = re.compile(r"(?:\b(?P<within>within)\s*|\boutside\s*)?(?:±|\+\s*/\s*-|\+-)\s*$", re.I)
_BASELINE_NAMED_RE = re.compile(r"\b(?:last week|yesterday|previous (?:day|week)|prior (?:day|week)|baseline|"
                                r"week[- ]over[- ]week|day[- ]over[- ]day)\b", re.I)
_VERSUS_RE = re.compile(r"\s*(?:[x×]\s+)?(?:(?:compared (?:to|with)|vs\.?|versus|relative to|against)\s+)?"
                        r"(?:(?P<of>of)\s+)?(?:the\s+)?(?:same\s+(?:hour|day|time|period)\s+"
                        r"(?:of\s+)?)?(?:last week|yesterday|the (?:previous|prior) (?:day|week|hour)|"
                        r"a (?:day|week) (?:ago|before)|baseline|normal|usual)(?:'s)?\b", re.I)
# a change upward: a negative drop ("degradation > 50%" is below -0.5 of the baseline's drop; "2x" is -1)
_RISE_RE = re.compile(rf"(?<![#/-])\b(increases?|{_GROWTH}|spikes?|degradation|rises?|jumps?)\b|"
                      rf"\bup{_UP_OR_DOWN}", re.I)
_RESPONSE_RE = re.compile(r"\b(respon\w*|resolution|resolve\w*|acknowledg\w*|mttr|mttd|first contact|reply|"
                          r"answer\w*|support)\b", re.I)
_BETWEEN_STAGES_RE = re.compile(r"\b(?:between|per)\s+(?:stages?|steps?|phases?|deploys?|releases?|rollouts?|waves?)\b",
                                re.I)
# "Credits must be requested within 30 days of the incident": the customer's deadline
_CLAIM_DEADLINE_RE = re.compile(r"\b(?:must|should|can|may) be (?:requested|submitted|claimed|filed|made|raised)\s+"
                                r"(?:with)?in\b", re.I)
# "Every 15 minutes: check …", "Hourly: team sync", "Weekly review of the invoice"; not "Daily orders: 1,200", a count
# per day
_CADENCE_RE = re.compile(r"^\s*(?:(?:check |monitor |refresh )?every\b|(?:hourly|daily|weekly|monthly)(?=\s*[:(]|\s+"
                         r"(?:review|check|sync|stand-?up|meeting|report|summary|digest|call|huddle|monitoring|tasks?|"
                         r"operations|look|walk-?through|at)\b))", re.I)
# a line that compares, whatever word it starts with: "Daily sign-ups should reach 1,500" is no cadence
_THRESHOLD_WORDS_RE = re.compile(r"[<>≤≥]|\b(?:reach(?:es)?|drops?|exceeds?|below|above|more than|less than|"
                                 r"fewer than|at least|at most)\b", re.I)
# "No failed transfers older than 2 hours", "Zero tickets waiting longer than 1 day"
_NO_OLDER_RE = re.compile(r"^(?:no|zero)\s+(?P<what>[\w /-]{3,60}?)\s+(?:older|waiting|open|pending|stuck)"
                          r"\s+(?:(?:for\s+)?(?:more|longer) than|than|over)\s*(?=\d)", re.I)
# "p95 under 90s normally": the usual level, a target; "must stay above 99.5%": a bound, a target
_NORMALLY_RE = re.compile(r"\s*(?:normally|usually|in normal operation|on a normal day)\b", re.I)
_STAYS_RE = re.compile(r"\b(?:must|should|needs? to|has to)\s+(?:stay|remain|be kept)\s*$", re.I)
# one sentence of a line (a number's clause, for its tier)
# (a clause ends at a comma before the next comparison: "above 1k is a warning, above 5k for 10 minutes pages")
_SENTENCE_RE = re.compile(r".+?(?:[.!?;](?=\s|$)|,(?=\s+(?:(?:and|but|while|whereas|above|below|over|under|past|"
                          r"beyond|more than|less than|fewer than)\b|[<>≤≥]))|$)")
# a share named by what happened to it, after the number: "fewer than 5% rejected"
_OUTCOME_AFTER_RE = re.compile(r"\s+(rejected|failed|failing|declined|abandoned|dropped|bounced|refunded|"
                               r"cancell?ed|errored|churned|unanswered|missed|lost|retried|delayed|timed out|"
                               r"free|full|used|remaining|left|available|burned|burnt|consumed|spent)\b",
                               re.I)
# "≥ baseline (3.1%)": a comparison with a baseline the document states in brackets
_BASELINE_RE = re.compile(r"([<>≤≥]=?|at least|at most|above|below)\s*(?:the\s+)?baseline\s*\(\s*$", re.I)
_BASELINE_OPS = {">": ">", ">=": ">=", "≥": ">=", "<": "<", "<=": "<=", "≤": "<=", "at least": ">=",
                 "at most": "<=", "above": ">", "below": "<"}
# words that make a number a comparison, for what the drafter could not place (``_unplaced``)
_COMPARED_RE = re.compile(r"[<>≤≥]\s*$|(?:[<>≤≥]|at least|at most|above|below)\s*(?:the\s+)?baseline\s*\(\s*$|"
                          r"\b(?:more|less|fewer|greater|higher|lower|older|newer|longer|shorter) than\s*$|"
                          r"\b(?:at least|at most|below|above|under|over|exceeds?|exceeding|reach(?:es)?|up to|"
                          r"no more than)\s*$", re.I)
_ALERTWORD_RE = re.compile(r"\b(alert|rule|page|notify|escalat\w*|investigate|action|post(?:s|ed)? to|pings?|"
                           r"(?:like|want|need) to know|let (?:me|us) know|"
                           r"wakes? up|(?:someone|somebody|we) (?:should|must|will|needs? to) (?:look|check)|"
                           r"opens? (?:a |an )?(?:ticket|incident)|needs? (?:attention|action|a look|investigat\w*)|"
                           r"requires? (?:attention|action))\b", re.I)
# "more than 1 in 200 → #billing-oncall": sent somewhere, so an alert
# a load the launch expects: "We expect 3x normal traffic", "anticipating twice the usual load"
_EXPECTED_LOAD_RE = re.compile(r"\b(?:we\s+)?(?:expect\w*|anticipat\w*|forecast\w*|plan(?:ning)? for)\b[^.;]*?"
                               r"(?P<n>\b\d[\d.,]*\s*(?:x|×|times)|\btwice|\bthree times|\bdouble)\s+(?:the\s+|our\s+)?"
                               r"(?:normal|usual|baseline|typical|regular|everyday)\b", re.I)
_ROUTED_RE = re.compile(r"(?:→|->|=>)\s*(?:#[a-z]|slack\b|pager ?duty\b|opsgenie\b|e-?mail\b|sms\b|teams\b)", re.I)
# "Payment errors should be zero", "Dropped messages must remain at 0"
_STAYS_ZERO_RE = re.compile(r"^\W*(?P<what>[A-Za-z][\w /-]{2,50}?)\s+(?:should|must|has to|have to|needs? to)\s+"
                            r"(?:be|stay|remain)\s+(?:at\s+)?(?P<n>zero|0|none)\b(?:\W*$|\s*;\s*)", re.I)
# a sentence that says someone is told is an alert's, whatever heading it is under
_ALERTS_SOMEONE_RE = re.compile(r"\b(?:should|must|will|to)\s+(?:alert|notify|ping)\s+(?:the\s+)?(?:team|on-?call|us|"
                                r"engineers?|sre|owner)\b|\bneeds? (?:attention|action|a look)\b|"
                                r"\brequires? (?:attention|action)\b", re.I)
# a sentence that wakes someone is an alert's, whatever heading it is under
_PAGES_SOMEONE_RE = re.compile(r"\b(?:page|pages|paged|wake|wakes)\s+(?:up\s+)?(?:the\s+|an?\s+|whoever\s+is\s+)?"
                               r"(?:on-?call|someone|engineer|sre|primary)\b", re.I)
# the tier said after the condition: "… above 3 per delivery are a warning", "…: warning", "… for 1 hour pages"
_VERDICT_RE = re.compile(r"(?:\b(?:is|are|counts? as|means|becomes?|turns?)\s+(?:an?\s+)?|(?:[:→(]|->|=>)\s*|\s[—–]\s*)"
                         r"(?P<word>warning|warn|critical|page|P[0-4]|SEV ?[0-4]|ticket|info)\b|"
                         r"\b(?P<verb>pages|wakes|warns)\s*(?:the\s+|someone|us\b)?"
                         r"(?:on-?call)?\s*[.;!]?\s*$|\b(?P<ticket>opens?|files?|raises?) an? (?P<tp>P[0-4] )?ticket\b|"
                         r"\b(?:opens?|files?|raises?) an? (?P<tp3>P[0-4]|SEV ?[0-4])\b(?!\s+ticket)|"  # "…, open a P2"
                         # "more than 20 per hour is suspicious, warn #fraud", "; at 90% page."
                         r"(?:[,;]|(?<=[\d%])(?:/[a-z]{1,6})?)\s*(?P<act>warn|page|ticket)\b(?=\s*(?:$|[.;,)(#→]|the\b|on-?call\b|"
                         r"via\b|to\b|in\b))|"
                         r"\b(?:is|are|gets?|be) (?P<paged>paged)\b|"
                         r"\b(?:triggers?|raises?|fires?) (?:an? )?(?P<act2>ticket|page|warning)\b|"
                         r"\b(?:should|must|will|shall) (?P<act3>warn|page|ticket)\b|"  # "… should warn too"
                         # "at 5% we pause sends and page", "we'll page the on-call"
                         r"\bwe(?:'ll| will)?\s+(?:[a-z]+\s+){0,4}?(?P<act4>warn|page)\b"
                         r"(?=\s*(?:$|[.;,)]|the\b|on-?call\b|someone\b))|"
                         r"\ban? (?P<tp2>P[0-4] )?ticket is (?:opened|filed|raised)|"
                         r"\ban? (?P<warned>warning) is (?:posted|sent|raised)", re.I)
# a sentence that only rates the one before it: "… for 10 minutes. Severity: ticket."
_SEVERITY_SENTENCE_RE = re.compile(r"^\W*(?:severity|priority|sev|level|tier)\s*[:=]\s*(?P<word>P[0-4]|SEV ?[0-4]|page|"
                                   r"ticket|warn(?:ing)?|critical|info|high|medium|low)\W*$", re.I)
# words before a number that qualify it rather than name a signal ("Average 50 messages/day", "About 300")
_QUALIFIER_RE = re.compile(r"(?:an? )?(?:average|avg|mean|median|total|about|around|approx\w*|roughly|nearly|"
                           r"at least|at most|min(?:imum)?|max(?:imum)?|up to|over|under|some|typical(?:ly)?)", re.I)
# what a signal is tells which way is healthy when a bare target does not say
_GOOD_HIGH_RE = re.compile(r"\b(?:conver\w*|success\w*|succeed\w*|availab\w*|disponib\w*|up-?time|retention|retained|"
                           r"activation|activated|adoption|satisf\w*|csat|nps|apdex|sign-?ups?|registrations?|revenue|orders?|"
                           r"bookings?|purchases?|throughput|hit (?:rate|ratio)|engagement|active users|dau|mau|"
                           r"completion|completed|redemptions?|opt-?ins?|deliver(?:y|ed) rate|open (?:rate|ratio)|"
                           r"opens|click-?through|clicks?|ctr)\b", re.I)
_BAD_HIGH_RE = re.compile(r"\b(?:errors?|fail\w*|latency|latencies|response time|duration|lag|queue\w*|backlog|"
                          r"churn\w*|bounce\w*|costs?|spend|declin\w*|reject\w*|crash\w*|abandon\w*|refunds?|"
                          r"complaints?|tickets?|downtime|wait\w*|cpu|memory|disk|usage|utili[sz]ation|timeouts?|"
                          r"5xx|4xx|retries|drops?|unsubscrib\w*|chargebacks?|fraud|age|"
                          r"cancel\w*|late|overdue|offline|outages?|"
                          # a data check's findings: "Null customer_id", "Duplicate order_id", "Schema drift"
                          r"nulls?|duplicat\w*|negative|invalid|malformed|orphan\w*|missing|mismatch\w*|drift|"
                          r"corrupt\w*)\b", re.I)
# a signal's name and nothing else before its number: "- Availability: 99.95%", "1. Latency — 300 ms"
_NAMED_VALUE_RE = re.compile(r"^\s*(?:\d{1,2}[.)]\s+)?[A-Za-z][\w /()'&-]{1,60}?\s*(?::|—|–|=|\s-)?\s*$")
# "over a rolling 28-day window", "Measured over a 7-day window", "Over the trailing 30 days": what the numbers are
# measured over, never a level of their own (a bare duration under "## Objectives" is otherwise a target's bound)
_WINDOW_AFTER_RE = re.compile(r"\s*(?:rolling\s+|trailing\s+|sliding\s+|calendar\s+|moving\s+)?(?:time\s+)?"
                              r"(?:window|period|look-?back)\b", re.I)
_WINDOW_WORDS_BEFORE_RE = re.compile(r"(?:\b(?:over|across|during|in|for)\s+(?:a|an|the|each|every)\s+"
                                     r"(?:rolling|trailing|sliding|calendar|moving)?|\b(?:rolling|trailing|sliding|"
                                     r"moving))\s*$", re.I)
# "5-minute availability", "the 1-hour error rate": what the number after it is measured over (not "a 5-minute
# window", which says so itself)
_MEASURED_NOUN_RE = re.compile(r"\s+(?!(?:window|period|interval|span|rolling|average|mark|grace|delay|timeout|wait|"
                               r"cooldown|hold|sustain\w*|break|pause|outage|downtime)\b)[a-z]", re.I)
_PERCENTILE = r"p\d{2,3}(?:\.\d+)?"
# "served under 300 ms", "within 2 s": a bound each request meets or not
_WITHIN_BOUND_RE = re.compile(r"\b(?:under|within|below|faster than|in less than)\s*\d[\d.,]*\s*"
                              r"(?:ms|s|sec\w*|min\w*)\b", re.I)
# a phase a sentence names for its own rules: "… at or above 2.5% for the first week", "during the first 24 hours"
_DURING_PHASE_RE = re.compile(r"\b(?:for|during|in|over|through(?:out)?|on|after)\s+(?:the\s+)?(?:first (?:24|48) "
                              r"hours|first (?:week|month|day)|launch day)\b", re.I)
_CLAUSE_BREAK_RE = re.compile(r"[;.]\s|,\s*(?:and|but|while|whereas)\b")
_GOAL_RE = re.compile(r"\b(goal|target|objective|aim|success|we expect|expected)\b", re.I)  # ("… we page. We expect …")
_ACTION_RE = re.compile(r"^\s*(?:ACTION|THEN|DO)\s*:\s*(?P<action>.+)$", re.I)
# "Server downtime > 1 minute": the check failing for that long
_DOWNTIME_RE = re.compile(r"\b(?:downtime|down|outage|offline|unreachable)\b", re.I)
# "If refunds fail for more than 15 minutes": the refunds' check failing, held that long (a verb right before it)
_FAILING_FOR_RE = re.compile(r"\b(?:fail(?:s|ing)?|(?:is|are|keeps?) failing|unavailable|unhealthy|"
                             r"not responding|erroring)(?:\s+for)?\s*$", re.I)
_FAILURE_RE = re.compile(r"\b(failure|failing|down|outage|unreachable|inaccessible|breach|loss|corruption|"
                         r"spikes?|errors?|not working|detected|issues?|problems?|delays?|bugs?)\b", re.I)


def _tier_from(path: list[str], label: str | None, text: str, prose: str = "", clause: str | None = None) -> str:
    """The tier of a number on line ``text``; ``clause``, the sentence it is in, decides whether the words
    around it alert ("fewer than 5% rejected. Investigate above 8%": only the second one does)."""
    label = (label or "").lower()
    if label.startswith(("target", "healthy", "goal", "expected")):
        # "Resolution Target: < 4 hours" under "Tier 2: High Priority": the tier's own promise
        if _RESPONSE_RE.search(text.split(":")[0]) and re.search(r"\d\s*(?:min|h|day)", text, re.I):
            named = next((t for t in (tier_in(h) for h in reversed(path)) if t), None)
            if named:
                return named
        return TARGET
    if label.startswith("critical"):
        return "CRITICAL"
    if label.startswith(("warn", "warning")):
        return "WARNING"
    if label == "page":
        return "PAGE"
    if label == "guardrail":
        return "GUARDRAIL"  # "| Guardrail | ≤ 0.6% |": the bound the launch must not break
    verdict = _verdict(clause if clause is not None else text)
    if verdict and not label:
        return verdict
    opens = re.match(r"^\W*(?:[A-Za-z]+\s*:\s*)?(warn|page|ticket|alert|investigate|notify|escalate)\s+"
                     r"(?:when|if|whenever|once)\b", clause if clause is not None else text, re.I)
    if opens and not label:  # "Warn when `stock_mismatch_ratio` > 0.5%": the sentence's first word is its tier
        return VERDICT_TIERS.get(opens.group(1).lower(), "ALERT")  # ("(Proposed: ticket if …", "Investigate if")
    said = clause if clause is not None else text
    if not label and (_ALERTS_SOMEONE_RE.search(said) or _ROUTED_RE.search(said) or
                      re.search(r"\b(?:we|they|I|pager ?duty|opsgenie)\s+(?:page|alert|notify|ping|wake)s?\b", said,
                                re.I) or
                      # "A Slack message to #reorder-launch is enough when daily reorders are below 500"
                      (re.search(r"\b(?:if|when|whenever|once)\b", said, re.I) and TOLD_RE.search(said)) or
                      re.search(r"\b(?:is|are)\s+(?:concerning|worrying|a concern|alarming)\b", said, re.I) or
                      (re.match(r"^\W*(?:if|when|whenever|once)\b", said, re.I) and
                       re.search(r"\b(?:notify|page|alert|warn|ping|tell|post|escalate|wake)\b|#[a-z]", said, re.I))):
        return alert_tier(said)  # "… over 5% should alert the team", "… → #alerts", "We page if …" under Targets
    lead = INLINE_TIER_RE.match(text)
    inline = tier_in(lead.group(0) if lead else text.split(":")[0]) if lead or ":" in text[:40] else None
    if inline and not label:
        return inline
    if _PAGES_SOMEONE_RE.search(clause if clause is not None else text):
        return "PAGE"  # "If errors stay above 3% for 10 minutes, page the on-call" under a Targets heading
    named_first = re.match(r"^[\W_]*([A-Za-z][\w /-]{1,30}?)[\W_]*:", text)
    if named_first and not label and is_target_context(named_first.group(1)):
        return TARGET  # "**Targets:** delivery success ≥ 99.2 %" under an alerts heading: the line's own word
    for heading in reversed(path):
        named = tier_in(heading)
        if named:
            return named
        if label.startswith(("alert", "alarm", "trigger")) or WORRY_RE.match(label):
            continue
        if is_target_context(heading):
            return TARGET
        # ("Slack #payments": someone is told; not "## Email" alone, the product's e-mail)
        if is_alert_context(heading) or (channel_types(heading) and not medium_alone(heading)):
            said = alert_tier(text if clause is None else clause)  # ("…800 ms; page at 2 s": the second)
            return alert_tier(heading) if said == "ALERT" else said  # (under "Page the search on-call": PAGE)
    words = text if clause is None else clause
    if label.startswith(("alert", "alarm", "trigger")) or WORRY_RE.match(label) or _ALERTWORD_RE.search(words) or \
            _ROUTED_RE.search(words) or \
            text.upper().startswith("IF ") or _DROP_RE.search(words) or CROSSES_RE.search(words) or \
            (re.search(r"\b(?:below|under)\s+\d[^.;]*\bof\b", words, re.I) and _BASELINE_NAMED_RE.search(words)):
        return alert_tier(words)  # ("Signups below 50% of the same hour last week": a fall, not a goal)
    if prose and _ALERTWORD_RE.search(prose) and not _GOAL_RE.search(text):
        return "ALERT"
    return TARGET


# a few words after the condition that may name its tier: "…: low-urgency incident", "… → P2 ticket"
_TIER_TAIL_RE = re.compile(r"(?:[:→]|->)\s*(?:an?\s+)?(?P<tier>[\w ]{1,12}?)(?:[- ](?:urgency|priority|severity))?"
                           r"(?:\s+(?:incident|alert|ticket|issue|page))?\s*[.!]?\s*$", re.I)


def _verdict(words: str) -> str | None:
    """The tier a condition is given after it is stated ("… is critical", "…: warning", "… pages")."""
    found = list(_VERDICT_RE.finditer(words))
    # a coded tier outranks the action said with it ("…, page the on-call (SEV1)": SEV1)
    m = next((x for x in found if x.group("word") and x.group("word")[0] in "PpSs" and
              x.group("word").lower() != "page"), found[0] if found else None)
    if m is None:
        # "…for 20 minutes: low-urgency incident", "… → high urgency": a few words after the condition naming a tier
        # (the tier word alone: not "Rule 4: Non-critical Feature Issues", nor "If > 1 hour: Escalate to Tier 2")
        tail = _TIER_TAIL_RE.search(words)
        named = tier_named(tail.group("tier")) if tail else None
        return named if named and any(q.op for q in find_quantities(words[:tail.start()])) else None
    if not find_quantities(words[:m.start()]):
        return None
    if m.group("verb") or m.group("paged"):
        return "WARNING" if (m.group("verb") or "").lower() == "warns" else "PAGE"  # ("… under 97% warns")
    act = m.group("act") or m.group("act2") or m.group("act3") or m.group("act4")
    if act:
        return VERDICT_TIERS[act.lower()]
    if m.group("warned"):
        return "WARNING"
    if m.group("tp3"):
        return tier_named(m.group("tp3"))
    if m.group("ticket") or m.group("tp2") or re.search(r"ticket is", m.group(0), re.I):
        tier = m.group("tp") or m.group("tp2")
        return tier_named(tier) if tier else "TICKET"  # "a P2 ticket is opened"
    word = m.group("word")  # ("→ p2", "sev 1": a code in any case)
    return tier_named(word) if word[0] in "PpSs" and word.lower() != "page" else VERDICT_TIERS[word.lower()]


# "## When OrdersErrorRate fires", "## Troubleshooting": numbered steps of a response, not alerts
_RESPONSE_STEPS_RE = re.compile(r"^(?:when|if|after|once)\b.*\b(?:fires?|firing|triggers?|triggered|pages?|paged|"
                                r"goes off)\b|\btroubleshoot\w*|\bwhat to do\b|\brunbook steps?\b", re.I)
# a fenced block of code in one of these is commands or a query, never a threshold
_CODE_LANGUAGES = {"sql", "bash", "sh", "shell", "console", "zsh", "powershell", "ps1", "python", "py", "javascript",
                   "js", "typescript", "ts", "go", "java", "ruby", "rb", "kotlin", "rust", "php", "csharp", "cs", "c",
                   "cpp", "dockerfile", "makefile", "diff", "kql", "graphql", "sparql", "lua"}
_KEY_VALUE_RE = re.compile(r"^(\s+)[a-z_][a-z0-9_-]*\s*:\s*\S")  # an indented config key ("  warning: 0.02")
_RUNG_KEY_RE = re.compile(r"^(warn(?:ing)?|crit(?:ical)?|page|alert)[_-](above|over|gt|below|under|lt|min|max|gte|lte)"
                          r"\s*:\s*", re.I)
# (the words a rung key's side stands for: "critical_below" reads "critical below")
_RUNG_KEY_SIDES = {"above": "above", "over": "above", "gt": "above", "max": "above", "below": "below",
                   "under": "below", "lt": "below", "min": "below", "gte": "at least", "lte": "at most"}


# a config block's measuring window: "window_days: 30", "window: 1h", "lookback_minutes: 15", "period: 28d"
_WINDOW_KEY_RE = re.compile(r"^(?:window|period|lookback|evaluation[_ -]window|time[_ -]window)(?:[_ -](?P<unit>days?|"
                            r"hours?|minutes?|mins?|seconds?|secs?|[dhms]))?\s*:\s*(?P<value>\S.*)$", re.I)
_KEY_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1, "min": 60, "mins": 60, "sec": 1, "secs": 1}


def _window_key_seconds(m: re.Match[str]) -> float | None:
    """The seconds a window key gives: a number in the key's unit ("window_days: 30"), or a duration ("1h")."""
    unit = (m.group("unit") or "").lower()
    if unit and re.fullmatch(r"\d+(?:\.\d+)?", m.group("value").strip()):
        return float(m.group("value")) * _KEY_UNIT_SECONDS.get(unit, _KEY_UNIT_SECONDS.get(unit[0], 0))
    return duration_seconds(m.group("value")) if not unit else None


class _KeyedRun:
    """The thresholds of a run of sibling "key: value" lines (a config file's block): its "for: 10m" holds every
    one of them, whether it comes before or after them."""

    def __init__(self) -> None:
        self.end()

    def end(self) -> None:
        self.indent: int | None = None
        self.found: list[Finding] = []
        self.held: float | None = None
        self.over: float | None = None

    def _at(self, indent: int) -> None:
        if indent != self.indent:
            self.end()
            self.indent = indent

    def add(self, indent: int, found: list[Finding]) -> None:
        self._at(indent)
        self.found += found
        for f in found:
            if self.held is not None and f.for_ is None:
                f.for_ = self.held
            if self.over is not None and f.window is None:
                f.window = self.over

    def hold(self, indent: int, seconds: float) -> None:
        """The run's "for:" line: it holds the siblings before it and after it."""
        self._at(indent)
        self.held = seconds
        for f in self.found:
            f.for_ = seconds

    def window(self, indent: int, seconds: float) -> None:
        """The run's "window_days: 30": what the siblings before it and after it are measured over."""
        self._at(indent)
        self.over = seconds
        for f in self.found:
            f.window = f.window or seconds


def extract(lines: list[Line]) -> tuple[list[Finding], list[Unclear]]:
    """Read every threshold (and every rule without a number) from ``lines``."""
    paths = outline(lines)
    findings: list[Finding] = []
    unclear: list[Unclear] = []
    header: list[str] | None = None
    aligned: list[str] | None = None
    subject = ""
    last: list[Finding] = []  # the findings of the block above (a later "Duration:" line sets their for)
    holds: list[StandingHold] = []  # "All alerts must persist for 5 minutes": for the rules of its section
    stated_tiers: list[StandingTier] = []  # "These three are warnings": for the alerts above it in its section
    keyed = _KeyedRun()  # a config file's sibling keys ("warning: 0.02", "critical: 0.05", "for: 10m")
    in_list = False  # under a label heading ("RED ALERTS:"), each line is an item even without a bullet
    fence, code, read_to = False, False, -1
    parents = parent_bullets(lines)  # "- start failures" over "  - warn: 1%": a subject, not a threshold
    titles = underlined_titles(lines)  # "Success criteria (first two weeks)" over "-----": a heading's title
    unread_rows: list[tuple[int, list[str], tuple[str, ...], str]] = []  # table rows with numbers that made nothing
    rule_headings: set[tuple[int, tuple[str, ...]]] = set()  # (level, parents) of headings read as rules
    stated: list[tuple[tuple[str, ...], Finding]] = []  # a heading's rules, with the heading's path
    untiered: list[Finding] = []  # a heading's rules whose tier its body may say first ("Ticket for the platform …")
    ruled, unclear, rule_lines = rule_blocks(lines, paths)  # "- alert: SearchSlow / expr: … > 1.5"
    monitored, unread, monitor_lines = monitor_blocks(lines, paths)  # resource "datadog_monitor" … { … }
    ruled, unclear, rule_lines = ruled + monitored, unclear + unread, rule_lines | monitor_lines
    graphed, unread, graphed_lines = grafana_rule_blocks(lines, paths)  # "- uid: … / evaluator: type: gt"
    ruled, unclear, rule_lines = ruled + graphed, unclear + unread, rule_lines | graphed_lines
    specified, spec_lines = slo_spec_blocks(lines, paths)  # Sloth's "slos: - name: … objective: 99.9", OpenSLO
    unclear, rule_lines = unclear + specified, rule_lines | spec_lines
    fielded, fielded_lines = field_blocks(lines, paths)  # "- name: … / metric: … / op: > / threshold: 0.03"
    ruled, rule_lines = ruled + fielded, rule_lines | fielded_lines
    for idx, line in enumerate(lines):
        if idx <= read_to:
            continue  # read with the line whose sentence it continues
        if line.raw.strip().startswith(("```", "~~~")):
            fence = not fence
            code = fence and line.raw.strip()[3:].strip().lower() in _CODE_LANGUAGES
            continue
        if idx in rule_lines or (fence and code):
            continue  # (a runbook's "WHERE mean_exec_time > 500" in a ```sql block is a query, not a threshold)
        path, text, raw = paths[idx], line.text, line.raw
        if not text:
            subject, aligned, last, in_list = "", None, [], False
            keyed.end()
            continue
        key = _KEY_VALUE_RE.match(raw)
        if not key:
            keyed.end()
        if idx in parents:
            subject, last = "", []
            # (a parent that states a comparison, "- Success rate at least 99%", is a rule too; "failed downloads
            # over 30 minutes" only names what its children judge)
            if not any(q.op and not (q.kind == "duration" and re.match(r"(?:over|in|within)\b", q.raw, re.I))
                       for q in find_quantities(text)):
                continue
        if idx in titles:
            header, last, in_list = None, [], False
            continue
        if heading_level(line) is not None:
            header = None
            in_list = heading_level(line)[0] == 8
            led = standing_hold(line, path) if is_lead_in(line) else None
            if led is not None:  # "… when any of these holds for 10 minutes:": the hold of the list it heads
                holds.append(led)
                continue
            if in_list and len(path) >= 2 and is_target_context(path[-2]) and re.search(r"\d", text):
                # "Select 10-20 customers who:" under "Beta Criteria": a label that states the criterion
                found = _line_findings(line, path[:-1], subject)
                findings.extend(found)
            elif 2 <= heading_level(line)[0] <= 6 and len(path) >= 2 and \
                    any(q.op or _older_than(text, q) for q in find_quantities(text)) and \
                    (any(is_alert_context(h) for h in path[1:-1]) or _verdict(text) or
                     (heading_level(line)[0], tuple(path[:-1])) in rule_headings):
                # "### Error rate > 2% for 5 min (page)" under "## Alerts" (not merely a title "Launch alerting
                # plan": its "## Stage 2 (> 25% of traffic)" is no rule): the heading is the rule
                title = heading_level(line)[1]
                found = _line_findings(Line(line.number, line.raw, title, False), path[:-1], subject)
                findings.extend(found)
                last = found
                # (its sibling headings that compare are rules too: "## Storage used ≥ 85%" after "## Error rate > 2%
                # for 5 minutes (warning)" in a runbook of one section per alert)
                rule_headings.add((heading_level(line)[0], tuple(path[:-1])))
                stated.extend((tuple(path), f) for f in found)
                untiered = [f for f in found if f.tier == "ALERT"]  # (a tier its body's first word may give)
                continue
            if heading_level(line)[0] >= 7 and not re.search(r"\d", text):
                last = []
            continue
        action = re.match(r"^\W*(ticket|page|warn(?:ing)?)\b", text, re.I) if untiered else None
        if action:  # "## Storage used ≥ 85%" over "Ticket for the platform team; …": the heading's rule's tier
            for f in untiered:
                f.tier = VERDICT_TIERS[action.group(1).lower()]
        untiered = []
        nxt = idx + 1  # an e-mail's sentence wrapped over lines: one sentence
        while not fence and nxt < len(lines) and paths[nxt] == path and continues(line, lines[nxt]):
            line, read_to, nxt = line.joined(lines[nxt]), nxt, nxt + 1
            text, raw = line.text, line.raw
        term = lines[idx - 1] if idx else None
        if re.match(r"^\s*:\s+\S", raw) and term is not None and term.text and heading_level(term) is None and \
                not find_quantities(term.text) and not line.starts:
            # a definition list: "Error rate" over ": warn above 1%, page above 3%" names what the line judges
            subject = term.text
            text = re.sub(r"^\s*:\s+", "", text)
            line = Line(line.number, line.raw, text, line.bullet)
        m = re.match(r"^(?:metric|signal|kpi|name)\s*:\s*(.+)$", text, re.I)
        if m:
            subject = m.group(1)
            continue
        mdur = re.match(r"^(?:duration|for|sustained|window)\s*:\s*(.+)$", text, re.I)
        if mdur and key and not mdur.group(0).lower().startswith("window"):
            qs = find_quantities(mdur.group(1))
            if qs and qs[0].kind == "duration":
                keyed.hold(len(key.group(1)), qs[0].value)
                continue
        if mdur and last:
            qs = find_quantities(mdur.group(1))
            if qs and qs[0].kind == "duration":
                for f in last:
                    if mdur.group(0).lower().startswith("window"):
                        f.window = qs[0].value
                    else:
                        f.for_ = qs[0].value
                continue
        cells = table_cells(raw)
        if cells is not None:
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                continue
            nxt = table_cells(lines[idx + 1].raw) if idx + 1 < len(lines) else None
            # (a boxed table's "+----+" between rows is an empty row, no separator)
            separator_next = nxt is not None and any(nxt) and all(re.fullmatch(r":?-{2,}:?", c) for c in nxt if c)
            if header is None or separator_next:
                header = [c.lower() for c in cells]
                continue
            if not any(find_quantities(c) for c in cells[1:]):
                unnumbered = _unnumbered_rule(line, path, header, cells)
                unclear += [unnumbered] if unnumbered else []
                continue
            queried = _query_row(line, path, header, cells)
            if queried is not None:  # "| SearchErrorsHigh | `sum(rate(…)) / sum(rate(…)) > 0.02` | 10m | page |"
                findings.append(queried)
                continue
            rated = burn_rate_row(line, path, header, cells)
            if rated is not None:  # "| Page | 1h | 5m | 14.4 | 2% |": what the plan's slos: entry generates
                unclear.append(rated)
                continue
            found = _table_row(line, path, header, cells, idx)
            if not found and not any(RELATIVE_CELL_RE.search(c) for c in cells):
                unread_rows.append((line.number, path, tuple(header), cells[0].strip(" *`") or cells[1]))
            for cell in [c for c in cells[1:] if RELATIVE_CELL_RE.search(c) and find_quantities(c)]:
                row = next((c for c in cells if c.strip() and not find_quantities(c)), cells[0])
                unclear.append(Unclear(line.number, text, path, f"line {line.number}: {row} {cell!r} compares "
                                       "with the baseline or the experiment's control, which a plan cannot name: a "
                                       "drop rule compares with the same window a day or a week before; write it by "
                                       "hand"))
            for f in [f for f in found if f.slo]:  # "| Availability | 99.9% | 30 days |": as a list states it
                unclear.append(Unclear(line.number, text, path, f"line {line.number}: an availability objective "
                                       f"({f.value:.4g}): an SLO judged over weeks (its error budget), not an "
                                       "alert threshold; add it under slos: with a probe", objective=f))
            findings.extend(f for f in found if not f.slo)
            continue
        header = None
        if "```" not in raw and len(aligned_cells(raw)) >= 3 and re.match(r"^\s*[A-Za-z]", raw) and \
                not find_quantities(raw):  # a header of columns aligned with spaces, or tab-separated
            aligned = [c.lower() for c in aligned_cells(raw)]
            continue
        if aligned and any(h.startswith("alert") or "threshold" in h for h in aligned):
            row = aligned_cells(raw)
            if len(row) == len(aligned):
                findings.extend(_table_row(line, path, aligned, row, idx))
                continue
        query = promql_line(line, path, partial(_tier_from, path, "alert", text))
        if query is not None:  # "sum(rate(partner_timeouts_total[5m])) > 0.5" pasted from a dashboard or a rule
            findings.append(query)
            last = [query]
            continue
        if _PLACEHOLDER_RE.search(text):
            filled = _PLACEHOLDER_RE.sub(" ", text)
            labelled = LABEL_RE.search(filled)
            if not (labelled and find_quantities(filled[labelled.end():])):
                unclear.append(Unclear(line.number, text, path, f"line {line.number}: a placeholder the document "
                                       "leaves to fill ([X], $[Y], XX%): no number to judge"))
                continue
            # "Conversion Rate: XX% (Target: >25%)": the report's blank is a placeholder, its target is not
            line = Line(line.number, line.raw, filled, line.bullet, line.starts)
            text = filled
        if re.search(r"\d\s*(?:pp|percentage points?)\b", text, re.I):
            unclear.append(Unclear(line.number, text, path, f"line {line.number}: a change in percentage points (an "
                                   "absolute difference of shares); a plan's drop rule compares the relative change: "
                                   "write it by hand"))
            continue
        if _CLAIM_DEADLINE_RE.search(text):
            unclear.append(Unclear(line.number, text, path, f"line {line.number}: a deadline for the customer's claim "
                                                                "(an SLA's terms), not a level the product holds"))
            continue
        load = _EXPECTED_LOAD_RE.search(text)
        if load:  # "We expect 3x normal traffic (peak around 12,000 requests per minute)"
            unclear.append(Unclear(line.number, text, path, f"line {line.number}: an expected load ({load.group('n')} "
                                   "normal), a capacity to plan for rather than a level an alert holds: write a "
                                   "threshold by hand if it should alert"))
            continue
        if _BETWEEN_STAGES_RE.search(text):
            unclear.append(Unclear(line.number, text, path, f"line {line.number}: a rollout's pace (time between "
                                                                "stages), not a threshold"))
            continue
        if _CADENCE_RE.match(text) and not _THRESHOLD_WORDS_RE.search(text):
            if re.search(r"\d", text):
                unclear.append(Unclear(line.number, text, path, f"line {line.number}: a cadence (how often to "
                                                                    "look), not a threshold"))
            continue
        measured_as = _MEASURED_SAID_RE.match(text) if not find_quantities(text) else None
        if measured_as:  # "Conversion is measured hourly." under a table: the window of its conversion rows
            per = _MEASURED_PER_RE.search(text)
            seconds = float(_PERIOD_SECONDS[per.group("unit") or _ADVERB_PERIODS[per.group("adverb").lower()]])
            for f in findings:
                if f.window is None and f.path[:len(path)] == path and \
                        _stems(measured_as.group("what")) & _stems(f.phrase) - {"rate", "ratio", "the"}:
                    f.window, f.counter = seconds, f.counter or f.kind == "count"
            continue
        named_holds = named_tier_holds(line, path, {f.tier for f in findings} - {TARGET, "ALERT"})
        if named_holds:  # 'We page when any vital is "Poor" for 30 minutes' under a table with a Poor column
            holds += named_holds
            continue
        hold = standing_hold(line, path)
        if hold is not None:  # "Warning and Critical must hold for 10 minutes before anyone is notified"
            holds.append(hold)
            continue
        said_tier = standing_tier(line, path)
        if said_tier is not None:  # "These three are warnings; nobody is paged for them" under a table
            stated_tiers.append(said_tier)
            continue
        burn = budget_burn(line, path) or burn_rate(line, path)
        if burn is not None:  # "page if 2% of the monthly error budget is consumed within 1 hour"
            unclear.append(burn)
            continue
        check = expected_state(line, path, _tier_from(path, "alert", text))
        if check is not None:
            findings.append(check)
            last = [check]
            continue
        prev = lines[idx - 1] if idx else None
        prose = ""
        if prev is not None and prev.text and not line.bullet and not prev.bullet and \
                heading_level(prev) is None and table_cells(prev.raw) is None:
            prose = re.split(r"[.!?]\s", prev.text)[-1]  # the sentence the line continues
        if path and _RESPONSE_STEPS_RE.search(path[-1]) and re.match(r"^\s*\d{1,2}[.)]\s", raw):
            # (a command's "tail -5", "curl -m 5" in backticks compares nothing)
            if any(q.op for q in find_quantities(re.sub(r"`[^`]*`", " ", raw))):
                unclear.append(Unclear(line.number, text, path, f"line {line.number}: a step of what to do when an "
                                       "alert fires: its numbers decide the step, not an alert; make it a threshold "
                                       "by hand if it should notify"))
            continue
        window_key = _WINDOW_KEY_RE.match(text) if key else None
        measured_over = _window_key_seconds(window_key) if window_key else None
        if measured_over:  # a config block's "window_days: 30", "window: 1h": what its siblings are measured over
            keyed.window(len(key.group(1)), measured_over)
            continue
        rung = _RUNG_KEY_RE.match(text) if not line.starts else None
        if rung:  # "critical_below: 20": a config file's rung, read as the words it stands for
            text = f"{rung.group(1)} {_RUNG_KEY_SIDES[rung.group(2).lower()]} {text[rung.end():]}"
            line = Line(line.number, line.raw, text, line.bullet)
        found = _line_findings(line, path, subject or asked_about(path), prose)  # ("Q: What error rate pages …?")
        if key:
            keyed.add(len(key.group(1)), found)
            for f in found if AVAILABILITY_RE.search(text.split(":")[0].replace("_", " ")) else []:
                if f.kind == "count" and 0 < f.value < 1:  # "availability: 0.999": a share, the objective's
                    f.kind, f.slo = "ratio", f.tier == TARGET
        if text.upper().startswith("IF ") and found:
            _apply_action(found, lines, idx)
        if not (line.bullet or ":" in text):
            for f in found:  # a sentence's uptime goal stays a target (a catalogue's row is an SLO)
                f.slo = False
        for f in [f for f in found if f.slo]:
            unclear.append(Unclear(line.number, text, path, f"line {line.number}: an availability objective "
                                   f"({f.value:.4g}): an SLO judged over weeks (its error budget), not an "
                                   "alert threshold; add it under slos: with a probe", objective=f))
        for f in [f for f in found if f.total]:
            unclear.append(Unclear(line.number, text, path, f"line {line.number}: a total to reach over the "
                                   f"period ({f.value:g}, a report's goal), not a level an alert can hold"))
        unclear.extend(_unplaced(line, path, text, found))
        for m in _AVERAGE_RE.finditer(text):
            # ("p95 > 2x the 7-day average" is no level of 2: the note says so, and no threshold is proposed)
            found = [f for f in found if not (f.kind == "count" and f.value == float(m.group("n")))]
            unclear.append(Unclear(line.number, text, path, f"line {line.number}: a multiple of a {m.group('avg')} "
                                   f"{m.group('stat').lower()}: a drop rule compares a window with the same window a "
                                   "day or a week before; write this one by hand (e.g. against avg_over_time over the "
                                   "days)"))
        for m in _DEADLINE_RE.finditer(text):
            unclear.append(Unclear(line.number_at(m.start("t")), text, path,
                                   f"line {line.number_at(m.start('t'))}: a deadline at a time of day "
                                   f"({m.group('t')}): a rule on the job's last success timestamp (kind age), "
                                   "written by hand with the hour it runs"))
        found = [f for f in found if not f.slo and not f.total]
        for f in [f for f in found if f.kind == "duration" and _ONLY_POINTS_RE.match(f.phrase)]:
            # "If any of those breaks for more than 10 minutes we roll back": a while, of signals named elsewhere
            # (said only where it acts: "It covers the critical first 24 hours" describes the document)
            pointed = re.sub(r"\s+for$", "", f.phrase)
            unclear += [Unclear(f.line, text, path, f"line {f.line}: {format_duration(f.value)} for signals named "
                                f"elsewhere ({pointed!r}): give the rules it speaks of that for (and tier) by hand")
                        ] if _ALERTWORD_RE.search(text) or re.search(r"\broll(?:s|ing)?[ -]?back\b", text, re.I) else []
            found.remove(f)
        _orient_rungs(found)
        row = failed_in_a_row(line, path, partial(_tier_from, path, None, text)) \
            if not any(f.kind == "up" for f in found) else None
        if row is not None and row.tier != TARGET:  # "health check fails 3 times in a row, 30 s apart"
            found.append(row)
        if found:
            findings.extend(found)
            last = found
            continue
        bare = RULE_PREFIX_RE.sub("", _TIER_TOKEN_RE.sub("", text))
        field = re.match(r"^[A-Za-z][\w /&-]{1,30}:\s", bare)  # "Responsibilities: ...": a field, not a failure
        if (line.bullet or in_list or bare != text) and not re.search(r"\d", bare) and len(text) < 80 and not field:
            tier = _tier_from(path, None, text)
            none = _NO_RE.match(text)
            if tier == TARGET and none and path and is_target_context(path[-1]):
                # "No support tickets about invalid links": the first one misses the target; "No P1 bugs
                # unresolved" is a state, which holds for the targets' usual while before it counts
                state = re.search(r"\b(?:unresolved|open|outstanding|pending)\b", none.group("what"), re.I)
                f = Finding(line.number, none.group("what"), ">", 0.0, "count", TARGET, path, text,
                            for_=None if state else 0.0,
                            note="'No ...' as a target: " + ("one open for a while" if state else "any one") +
                                 " misses it; review the metric that counts them")
                findings.append(f)
                last = [f]
                continue
            routing = channel_types(text) and (re.search(r"channel|notif|contact", path[-1] if path else "", re.I)
                                                or _ROUTING_RE.search(text))
            if tier != TARGET and path and not routing and (tier_in(path[-1]) or is_alert_context(path[-1])):
                failed = failure_findings(line, path, tier)
                if failed:
                    findings.extend(failed)
                    last = failed
                elif _FAILURE_RE.search(text):
                    unclear.append(Unclear(line.number, text, path,
                                           f"line {line.number}: a rule without a number ({tier}): say which "
                                           "metric shows it and at what value"))
        elif (line.bullet or in_list) and len(text) < 120 and path and names_an_outage(text) and \
                not field and (tier_in(path[-1]) or is_alert_context(path[-1])) and \
                _tier_from(path, None, text) != TARGET:
            # "Checkout API down (restarts 2 times)": an alert's rule whose numbers the drafter could not place
            unclear.append(Unclear(line.number, text, path, f"line {line.number}: a rule whose numbers the drafter "
                                   "could not read as a threshold: write it by hand"))
    # "## Upload queue older than 15 minutes (critical)" over "The oldest job … has waited more than 15 minutes":
    # the body restates the heading's rule, it is no second one
    findings = [g for g in findings if not any(
        g is not f and tuple(g.path[:len(head)]) == head and (g.op, g.value, g.kind) == (f.op, f.value, f.kind)
        for head, f in stated)]
    apply_holds(holds, findings)
    apply_tiers(stated_tiers, findings)
    unclear += _unread_tables(unread_rows)
    free = [k for k in range(len(lines)) if k not in rule_lines]  # (a rules file's "condition: C" is no catalogue's)
    unclear += per_alert_blocks([lines[k] for k in free], [paths[k] for k in free], findings)
    for f in [f for f in findings if f.op == "!="]:  # "replicas != 3"
        unclear.append(Unclear(f.line, f.excerpt, f.path, f"line {f.line}: {f.phrase} != {f.value:g}: a plan's "
                               "threshold compares with <, <=, >, >= or ==; write it as two, below and above"))
    findings = [f for f in findings if f.op != "!="]
    raw_of = {line.number: line.raw for line in lines}
    for f in findings:
        f.metric = written_metric(raw_of.get(f.line, ""), f.phrase)
        suffix = next((s for s in WRITTEN_KINDS if f.metric and f.metric.endswith(s)), None)
        if suffix and f.kind == "count" and (suffix != "_ratio" or 0 <= f.value <= 1):
            f.kind = WRITTEN_KINDS[suffix]  # "`…_seconds` above 120": seconds, as the name says
    if ruled:
        findings = sorted(findings + ruled, key=lambda f: f.line)
    return findings, unclear


# a single occurrence that acts: "any failed payout creates a P1 ticket", "Any chargeback pages the on-call"
_ANY_ONE_RE = re.compile(r"(?:^|[:—–-]\s*|\b(?:zero tolerance|no tolerance)\W+)(?:any|a single|every|each)\s+"
                         r"(?:single\s+)?(?P<what>[a-z][\w -]{2,40}?)\s+(?:creates?|opens?|raises?|files?|triggers?|"
                         r"pages|wakes|is an? (?:incident|page|ticket|alert|P[0-4]|SEV ?[0-4])|means an? "
                         r"(?:incident|page|ticket))\b", re.I)
# a name that only points at signals named elsewhere: "any of those breaks", "they stay", "it lasts"
_ONLY_POINTS_RE = re.compile(r"(?:(?:any|all|one|each|either|both) of\s+)?(?:those|these|them|they|it|either|both)\b",
                             re.I)
# a rollback said right before its number: "…, roll back below 40%", "roll back at 5%"
_ROLLBACK_LEAD_RE = re.compile(r"\broll(?:s|ing)?[ -]?back\s*(?:at|when|if|below|under|above|over|past|beyond|"
                               r"[<>≤≥])?\s*$", re.I)
# a population a rule counts in, said before its comparison: "on orders over $100", "for users with more than 3
# devices", "for carts above 10 items"
_QUALIFIER_OPENS_RE = re.compile(r"\b(?P<prep>on|for|with|of|from|among)\s+(?:the\s+|a\s+|an\s+|all\s+)?"
                                 r"[a-z][\w-]*(?:\s+(?:with|having|of)?\s*[a-z][\w-]*){0,2}\s*$", re.I)


def _qualifies(text: str, qs: list[Quantity], n: int) -> bool:
    """Whether ``qs[n]`` only says which things the next comparison counts: opened by a prepositional phrase
    ("on orders over $100") and followed, in the same clause, by the comparison itself ("… above 5%")."""
    q = qs[n]
    if q.op is None or n + 1 >= len(qs) or not _QUALIFIER_OPENS_RE.search(text[:q.start]):
        return False
    nxt = qs[n + 1]
    between = text[q.end:nxt.start]
    return nxt.op in ("<", "<=", ">", ">=") and re.fullmatch(r"\s*(?:[a-z][\w-]*\s*){0,2}", between, re.I) is not None \
        and not re.search(r"\b(?:and|or|but|for|then|is|are)\b", between, re.I) and \
        not re.search(r"\bfor\s*$", text[:nxt.start])


# how much is going on: a condition on it beside another is the other's guard ("and traffic is above 100 rps")
_VOLUME_RE = re.compile(r"\b(?:traffic|requests?|rps|qps|rpm|volume|load|throughput|sessions|active users|"
                        r"concurrent users)\b", re.I)


def _joined_by_and(text: str, out: list[Finding], spans: dict[int, tuple[int, int]]) -> list[Finding]:
    """Conditions a sentence joins with "and" ("Page if error rate > 2% and p95 > 3 s"): a plan's rule judges one
    signal, so each fires alone, and each says so; a condition on the traffic ("… and traffic is above 100 rps")
    only guards the other (alone it would page on a busy, healthy day): it goes, said in the other's note."""
    for a, b in itertools.pairwise(list(out)):
        if id(a) not in spans or id(b) not in spans or a.tier != b.tier or a.tier == TARGET:
            continue
        between = text[spans[id(a)][1]:spans[id(b)][0]]
        if not re.search(r"\band\b", between, re.I) or re.search(r"[;.]|\b(?:then|we|page|notify|warn|post|open)\b",
                                                                  between, re.I) or \
                not re.search(r"\b(?:if|when|whenever|while|both)\b", text[:spans[id(a)][0]], re.I):
            continue
        guard = next((g for g in (b, a) if _VOLUME_RE.search(g.phrase) and g.op in (">", ">=") and
                      not _VOLUME_RE.search((a if g is b else b).phrase)), None)
        if guard is not None:
            kept = a if guard is b else b
            out.remove(guard)
            kept.note = "; ".join(x for x in (kept.note, (
                f"only while {guard.phrase} is {guard.op} {guard.value:g}, as the document says: review min_volume, "
                "the guard that keeps a rule from paging on too little traffic")) if x)
            continue
        for f, other in ((a, b), (b, a)):
            f.note = "; ".join(x for x in (f.note, (
                f"the document joins this with {other.phrase} {other.op} {other.value:g} by 'and': a plan's rule "
                "judges one signal, so each fires alone; review")) if x)
    return out


def _phase_said(text: str, q: Quantity) -> str | None:
    """The phase the sentence gives ``q``'s rule: "During the first week we page when …, and we post when …" (said
    before any number: every rule of the sentence), "… at or above 2.5% for the first week, and p95 under 800 ms"
    (said after: its own clause's)."""
    during = _DURING_PHASE_RE.search(text)
    if during is None:
        return None
    first = min((p.start for p in find_quantities(text)), default=q.start)
    between = text[min(q.end, during.start()):max(q.start, during.end())]
    if during.end() <= first or not _CLAUSE_BREAK_RE.search(between):
        return phase_in(during.group(0))
    return None


def _digit_at(q: Quantity) -> int:
    """Where the quantity's number starts ("fewer than\n100": on the line of 100, not of "fewer")."""
    digit = re.search(r"\d", q.raw)
    return q.start + (digit.start() if digit else 0)


# "hasn't finished by 06:00 UTC": a clock time, which no threshold on a level can hold
_DEADLINE_RE = re.compile(r"\b(?:by|before|until|after|no later than)\s+"
                          r"(?P<t>\d{1,2}:\d{2}(?:\s*(?:UTC|GMT|[AP]M|[A-Z]{3}))?)")
# a count that is a level, not a tally of events: its window averages it
_LEVEL_RE = re.compile(r"\b(?:lag|depth|backlog|queue|pool|connections?|concurrent|active|size|usage|utili[sz]ation|"
                       r"in-?flight|pending|open|sessions?|users? online)\b", re.I)
# "Sign-ups 3x the 7-day average": against an average of days, which a drop rule does not compare with
_AVERAGE_RE = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*[x×]\s+(?:the\s+|its\s+|their\s+)?(?P<avg>\d+[- ]day|weekly|monthly|"
                         r"rolling|hourly|daily)\s+(?P<stat>average|mean|median)", re.I)
_AMOUNT = r"\d[\d.,]*\s*(?:%|ms\b|s\b|sec\w*|min\w*|h\b|hours?\b)?"
_CHANGE_RE = re.compile(rf"(?P<new>{_AMOUNT})\s*(?:instead of|rather than)\s+(?P<old>{_AMOUNT})", re.I)


def _unread_tables(rows: list[tuple[int, list[str], tuple[str, ...], str]]) -> list[Unclear]:
    """One note per table whose rows hold numbers that made no threshold ("| Metric | EU | US | APAC |": its
    columns name no target, alert or tier), so a table is never dropped without a word."""
    out: list[Unclear] = []
    for n, (line, path, header, _) in enumerate(rows):
        if n and rows[n - 1][2] == header and rows[n - 1][1] == path:
            continue  # (the rest of the same table)
        same = [r for r in rows[n:] if r[2] == header and r[1] == path]
        out.append(Unclear(line, f"| {' | '.join(header)} |", path, f"line {line}: a table whose columns "
                           f"({', '.join(h for h in header if h)}) name no target, alert or tier: its {len(same)} "
                           f"row{'s' if len(same) > 1 else ''} with numbers ({', '.join(r[3] for r in same[:3])}"
                           f"{', …' if len(same) > 3 else ''}) made no threshold; write them by hand if they are"))
    return out


def _after_window(before: str, measured: float | None) -> str:
    """``before`` without the window clause that opens it ("Over the trailing 30 days, ")."""
    return re.sub(r"^[^,;:]*,\s*", "", before) if measured is not None else before


def _older_than(text: str, q: Quantity) -> bool:
    """Whether ``q`` is the age "older than" compares with, outside brackets (a signal column's "Stale positions
    (older than 2 minutes)" defines the signal, it sets no level)."""
    before = text[:q.start]
    return q.op is None and q.kind == "duration" and re.search(r"\bolder than\s*$", before, re.I) is not None and \
        before.count("(") <= before.count(")")


def _is_window(text: str, q: Quantity) -> bool:
    """Whether ``q`` is a window said as one ("a rolling 28-day window", "over the trailing 30 days")."""
    return q.kind == "duration" and q.op is None and q.raw in text[q.start:q.end + 1] and bool(
        _WINDOW_AFTER_RE.match(text[q.end:]) or _WINDOW_WORDS_BEFORE_RE.search(text[:q.start]))


def _share_done_in_time(text: str, q: Quantity) -> re.Match[str] | None:
    """The words after share ``q`` that say what is done in time ("99% of requests complete within 400 ms")."""
    return FAST_SHARE_RE.match(text[q.end:]) if q.kind == "ratio" and not q.plus else None


def _done_in_time_by(text: str, q: Quantity) -> bool:
    """Whether share ``q`` is of what is done within a duration said right after ("95% of tickets answered within
    4 hours"), however long."""
    m = _share_done_in_time(text, q)
    return m is not None and any(d.start == 0 and d.kind == "duration" for d in find_quantities(text[q.end + m.end():]))


def _fast_share(text: str, q: Quantity) -> str | None:
    """The signal of a share of requests done in time ("99% of requests complete within 400 ms": requests within
    400ms, the bound in its name as one signal per bound), when ``q`` is that share; else None. (A share done
    within hours or days, "95% of tickets answered within 4 hours", keeps the words that name it.)"""
    m = _share_done_in_time(text, q)
    bound = next((d for d in find_quantities(text[q.end + m.end():]) if d.start == 0), None) if m else None
    if bound is None or bound.kind != "duration" or bound.value >= 60:
        return None
    return f"{m.group('who')} within {format_duration(bound.value)}"


def _slow_share(text: str, q: Quantity, phrase: str) -> tuple[str, int] | None:
    """The signal of a share done late ("< 1% of requests take longer than 2 s": requests beyond 2s) and where
    the duration that bounds it starts its digits, when ``q`` is that share; else None."""
    m = SLOW_SHARE_RE.match(text[q.end:]) if q.kind == "ratio" and not q.plus else None
    bound = next((d for d in find_quantities(text[q.end + m.end():]) if d.start == 0), None) if m else None
    if m is None or bound is None or bound.kind != "duration":
        return None
    return f"{m.group('who') or phrase} beyond {format_duration(bound.value)}", q.end + m.end()


def _in_slow_share(text: str, q: Quantity) -> bool:
    """Whether duration ``q`` is the condition of a share done late ("< 1% of requests take longer than 2 s")."""
    return any((share := SLOW_SHARE_RE.match(text[m.end():])) and q.start <= m.end() + share.end() < q.end
               for m in re.finditer(r"%", text[:q.start]))


def _in_fast_share(text: str, q: Quantity) -> bool:
    """Whether duration ``q`` is the condition of a share done in time ("99% of requests complete within 400 ms")."""
    return any((share := FAST_SHARE_RE.match(text[m.end():])) and m.end() + share.end() >= q.start
               for m in re.finditer(r"%", text[:q.start]))


# a level foreseen, not reached: "if it will fill within 4 hours", "projected to run out of space in 2 days"
_FORECAST_RE = re.compile(r"\b(?:will|would|is (?:going|projected|predicted|forecast|expected) to|projected to|"
                          r"predicted to|forecast to)\s+(?:fill(?: up)?|run out(?: of [\w ]{1,20}?)?|be exhausted|"
                          r"be full|exhaust [\w ]{1,20}?|hit (?:100\s*%|capacity))\s*(?:with)?(?:in)?\s*$", re.I)


def _unplaced(line: Line, path: list[str], text: str, found: list[Finding]) -> list[Unclear]:
    """Numbers the line compares ("should reach 1,500 by day 3", "older than 2 hours") that became no
    threshold: said, so the reviewer sees what the drafter could not place rather than nothing."""
    taken = [v for f in found for v in (f.value, -f.value, f.for_, f.window) if v is not None]
    out = []
    change = None if found else _CHANGE_RE.search(text)
    if change:  # a reply's "make the failed-payout page 3% instead of 5%": a change to another line's rule
        at = line.number_at(change.start())
        return [Unclear(at, text, path, f"line {at}: a change asked for ({change.group(0)}): the draft keeps the "
                        f"rule as the line that states it ({change.group('old')}) has it; change that threshold by "
                        "hand if the change stands")]
    qs = find_quantities(text)
    for n, q in enumerate(qs):
        if found and _qualifies(text, qs, n):
            continue  # ("on orders over $100": said in the note of the rule it qualifies)
        if q.kind == "duration" and _FORECAST_RE.search(text[max(0, q.start - 60):q.start]):
            at = line.number_at(_digit_at(q))  # "page at 90% full, or if it will fill within 4 hours"
            out.append(Unclear(at, text, path, f"line {at}: a forecast ({q.raw.strip()}): a plan's threshold compares "
                               "the measure as it is now; write it by hand as a rule on predict_linear over the last "
                               "hours"))
            continue
        unit = key_unit_in(text[max(0, q.start - 80):q.start]) if q.kind == "count" else None
        q = in_unit(q, unit) if unit else q  # ("`api_latency_ms` above 800" is the 0.8 s threshold)
        if any(math.isclose(q.value, v, rel_tol=1e-9) or math.isclose(1 + q.value, v) or
               math.isclose(q.value - 1, v) or math.isclose(1 - q.value, v) for v in taken):
            continue
        if not found and _is_window(text, q):
            at = line.number_at(_digit_at(q))
            out.append(Unclear(at, text, path, f"line {at}: a window ({format_duration(q.value)}) with no level on its "
                               "line: each threshold keeps the window its own line gives, and a slos: entry counts its "
                               f"error budget over {format_duration(SLO_PERIOD)}"))
            continue
        if q.op is None and found and q.kind == found[-1].kind and q.kind in ("ratio", "duration") and \
                re.search(r"(?:[<>≤≥]|\b(?:more|less|fewer|greater|higher|lower) than|\b(?:above|below|over|under))"
                          r"\s*[\d.,]+\s*\S*[^,;.]{0,40}\b(?:or|and)\s*$", text[:q.start], re.I):
            # "page if more than 0.8% in the EU or 1% in the US": the same comparison's second value, for a part
            at = line.number_at(_digit_at(q))
            out.append(Unclear(at, text, path, f"line {at}: {q.raw.strip()!r} is the same comparison's second value, "
                               "for another part of the signal (a region, a segment): write it as its own threshold, "
                               "with a matcher on that label"))
            continue
        if q.op is None and not _COMPARED_RE.search(text[max(0, q.start - 30):q.start]):
            if line.bullet and not found and q.kind == "count" and q.value >= 10 and path and \
                    is_target_context(path[-1]) and not re.match(r"\s*[:.)]", text[q.end:]) and \
                    not re.match(r"[^.;,]{0,40}?(?:/|\bper\b|\ba (?:day|week|month)\b)", text[q.end:]):
                out.append(Unclear(line.number, text, path, f"line {line.number}: a total to reach "
                                   f"({q.raw.strip()}), a report's goal rather than a level an alert can hold"))
            elif q.kind == "ratio" and line.bullet and not found and path and \
                    any(is_alert_context(h) for h in path) and \
                    not re.search(r"escalat|\bevery\b|\bafter\b", text, re.I):
                # "Checkout: 2% of payments fail" under "## Alerts" gave nothing and said nothing
                at = line.number_at(_digit_at(q))
                out.append(Unclear(at, text, path, f"line {at}: {q.raw.strip()!r} under an alert heading, with no "
                                   "comparison: say above or below it (and its tier) to make it a threshold"))
            continue
        if q.kind == "duration" and any(f.kind == "ratio" for f in found) and \
                re.search(r"within\s*$", text[max(0, q.start - 10):q.start] + q.raw[:7], re.I):
            continue  # "95% within 1 hour": the share answered in time, the duration its condition
        if q.kind == "duration" and any(f.kind == "ratio" for f in found) and (
                _in_fast_share(text, q) or _in_slow_share(text, q)):
            continue  # "99% of requests complete in ≤ 400 ms", "< 1% … take longer than 2 s": likewise
        if any(NO_ALERT_RE.search(m.group(0)) for m in _SENTENCE_RE.finditer(text) if m.start() <= q.start < m.end()):
            continue  # "… above 50,000 is good news, no alert": placed, as nothing to do
        at = line.number_at(_digit_at(q))
        out.append(Unclear(at, text, path, f"line {at}: {q.raw.strip()!r} compares something the drafter could "
                           "not place (its signal, direction or tier): write it as a threshold by hand, or leave it "
                           "out"))
    return out


def _apply_action(found: list[Finding], lines: list[Line], idx: int) -> None:
    """``IF x > 10% for 5 minutes:`` followed by ``ACTION: Page on-call engineer``: the action is the tier, in
    the document's words, and says how severe it is; an action that carries on ("Continue normal
    monitoring") makes the condition the healthy state, a target."""
    for nxt in lines[idx + 1: idx + 4]:
        if not nxt.text or nxt.text.upper().startswith("IF "):
            return
        m = _ACTION_RE.match(nxt.text)
        if not m:
            continue
        action = m.group("action").strip(" .")[:60]
        if carries_on(action) or re.search(r"\bstable\b", lines[idx].text, re.I):
            for f in found:
                f.tier, f.op = TARGET, negate(f.op)
            return
        severity = action_severity(action)
        if severity is None:
            return
        for f in found:
            f.tier, f.severity = action, severity
        return


# a column named for what the team does at its values: "Investigate", "Escalate", "Page", "Roll back"
_ACTION_COLUMNS = {"investigate": "medium", "look": "medium", "notify": "medium", "ping": "medium",
                   "escalate": "high", "act": "high", "action": "high", "respond": "high", "ticket": "low",
                   "roll back": "critical", "rollback": "critical", "abort": "critical", "wake": "critical",
                   # a status page's component statuses (Atlassian Statuspage's, and the words teams copy)
                   "degraded performance": "medium", "degraded": "medium", "partial outage": "high",
                   "major outage": "critical", "full outage": "critical", "outage": "critical",
                   # the value a team's report flags ("| KPI | Goal | Red flag |")
                   "red flag": "medium", "red line": "high", "alarm": "medium", "danger": "high",
                   # Core Web Vitals' bands ("| Metric | Good | Needs improvement | Poor |")
                   "needs improvement": "medium", "poor": "high"}
_ACTION_COLUMN_RE = re.compile(rf"({'|'.join(_ACTION_COLUMNS)})(?:\s+(?:at|if|when|above|below))?")
_SLI_COLUMN_RE = re.compile(r"(sli|indicator|measure|metric(?: name)?|signal|kpi)\b.*")
# a column named for the side its numbers bound: the alert fires below a Min / Floor / "Alert below" value
_SIDE_COLUMN_RE = re.compile(r"\b(?:(?P<low>below|under|min(?:imum)?|floor|lower(?: bound| limit)?)|"
                             r"above|over|max(?:imum)?|ceiling|upper(?: bound| limit)?)\b")
_SEVERITY_COLUMN_RE = re.compile(r"(severity|sev|priority|level|tier|urgency)\b")
# a row named for a moment, not a signal: "| T+15m |", "| Day 1 |", "| Hour 2 |", "| 24 h in |"
_CHECKPOINT_RE = re.compile(r"\W*(?:T\s*[+-]\s*\d+(?:\.\d+)?\s*[a-z]*|(?:day|hour|week|d|h)\s*\d+|"
                            r"\d+\s*(?:m|min|minutes?|h|hours?|d|days?)(?:\s+(?:in|after))?)\W*", re.I)
_CONDITION_COLUMN_RE = re.compile(r"(condition|rule|trigger|when|alert(?: condition| rule)?|threshold|signal|"
                                  r"criteria|criterion|definition)\b")


def _severity_column(header: list[str], cells: list[str]) -> int | None:
    """Where a row's tier is written ("| Signal | Threshold | Severity |"), or None."""
    return next((i for i, h in enumerate(header[:len(cells)]) if _SEVERITY_COLUMN_RE.fullmatch(h)), None)


_QUERY_COLUMN_RE = re.compile(r"(?:prom(?:ql)?\s+)?(?:expr(?:ession)?|query|promql)")
_HOLD_COLUMN_RE = re.compile(r"for|duration|pending(?: period)?|hold(?: for)?|sustained(?: for)?")


def _query_row(line: Line, path: list[str], header: list[str], cells: list[str]) -> Finding | None:
    """A catalogue's row whose expression column holds PromQL closed by a comparison: that comparison, held as the
    row's "For" column says, at its severity, under its name; None for any other row."""
    col = next((i for i, h in enumerate(header[:len(cells)]) if _QUERY_COLUMN_RE.fullmatch(h.strip(" *`"))), None)
    cell = cells[col].strip().strip("`").strip() if col is not None else ""
    f = promql_line(Line(line.number, line.raw, cell, False), path, lambda: "ALERT", expression=True) if cell else None
    if f is None:
        return None
    severity = _severity_column(header, cells)
    said = cells[severity].strip(" *`") if severity is not None else ""
    f.tier = (tier_in(said) or VERDICT_TIERS.get(said.lower()) or said.upper()) if said else "ALERT"
    hold = next((cells[i] for i, h in enumerate(header[:len(cells)]) if _HOLD_COLUMN_RE.fullmatch(h.strip(" *`"))),
                None)
    f.for_ = duration_seconds(hold.strip(" `")) if hold and hold.strip(" `") else 0.0
    first = cells[0].strip(" *`")
    if col != 0 and re.fullmatch(r"[A-Za-z][\w:-]*", first):
        f.name = first
        if "/" in cell:  # a share of two series ("…{code=~\"5..\"} / …"): the alert's name says which
            f.phrase = " ".join(watched_words(first)) or f.phrase
    return f


def _rule_row(line: Line, path: list[str], header: list[str], cells: list[str]) -> list[Finding] | None:
    """A table of rules, one per row, with the tier in its own column ("| SEV1 | API availability below 99%
    | 5 min | PagerDuty |"); None when the table is not one."""
    sev = _severity_column(header, cells)
    # "| Signal | Threshold | Severity |": the condition is the column with the number (a signal column's
    # "older than 2 minutes" only if no other has one), the signal column names what it is of
    conds = sorted((i for i, h in enumerate(header[:len(cells)]) if _CONDITION_COLUMN_RE.fullmatch(h) and i != sev),
                   key=lambda i: header[i].startswith("signal"))
    cond = next((i for i in conds if find_quantities(cells[i])), conds[0] if conds else None)
    if sev is None or cond is None:
        return None
    tier = tier_in(cells[sev]) or cells[sev].strip(" *`").upper()[:30]
    if not tier:
        return None
    named = next((cells[i] for i in conds if i != cond and header[i].startswith("signal")), "")
    out = []
    qs = find_quantities(cells[cond])  # (none: "| Errors | high | SEV1 | 5 min |" states no threshold)
    if named and qs and not subject_of(cells[cond][:qs[0].start]):
        # "below 50", "above 20,000 messages for 15 minutes": read as the sentence the row says, signal first,
        # and as an alert's (a rule table's rows are alerts, whatever its heading)
        out = _line_findings(Line(line.number, line.raw, f"{named} {cells[cond]}", False), [*path, "Alerts"], named)
        for f in out:
            f.tier, f.path = tier, path
        return out
    if qs and subject_of(cells[cond][:qs[0].start]) and any(q.kind == "duration" and q.op is None for q in qs[1:]):
        # "| OrdersErrorRate | 5xx ratio > 2% for 5 min | page |": the condition read as its sentence, whose "for
        # 5 min" holds it (each number its own threshold gave "5xx ratio 2 > 300 s"); the alert column names it
        out = _line_findings(Line(line.number, line.raw, cells[cond], False), [*path, "Alerts"], "")
        given = next((cells[i] for i in conds if i != cond and re.fullmatch(r"[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+",
                                                                              cells[i].strip(" `*"))), None)
        for f in out:
            f.tier, f.path = tier, path
            f.name = given.strip(" `*") if given and len(out) == 1 else f.name
        return out
    if qs and not subject_of(cells[cond][:qs[0].start]) and len(re.findall(r"[A-Za-z]{3,}", cells[cond])) >= 4:
        # "| SEV1 | More than 25% of payments failing, or the API unavailable for 2+ minutes |": a sentence whose
        # signals follow their numbers (each number with the whole cell for its name gave m_25_payments_failing_…)
        out = _line_findings(Line(line.number, line.raw, cells[cond], False), [*path, "Alerts"], "")
        cell = cells[cond]
        for q in qs if out else []:
            if q.high is None or any(f.value == q.value for f in out):
                continue
            # "5–25% of payments failing for 10 minutes": the severity's lower bound (the upper is the next one's)
            f = _make(line, path, named_after(cell[q.end:]) or out[0].phrase, q, "alert", cell, cell)
            held = next((d for d in find_quantities(cell[q.end:]) if d.kind == "duration"), None)
            if f and held and re.match(r"[^,;]*\bfor\s*$", cell[q.end:q.end + held.start]):
                f.for_ = held.value
            out += [f] if f else []
        for f in out:
            f.tier, f.path = tier, path
        if out:
            return out
    # "| Metric | Threshold | Direction | Severity |": the direction column compares, the metric column names
    way = next((i for i, h in enumerate(header[:len(cells)]) if i not in (sev, cond) and
                re.fullmatch(r"(?:direction|comparison|operator|op)\b.*", h)), None)
    row_name = next((c for i, c in enumerate(cells) if i not in (sev, cond, way) and c.strip()
                     and not find_quantities(c)), "")
    for q in find_quantities(cells[cond]):
        said = re.search(r"(?P<low>below|under|less|lower|fewer|<)|above|over|more|greater|higher|>",
                         cells[way], re.I) if way is not None and q.op is None else None
        if said:
            q = Quantity("<" if said.group("low") else ">", q.value, q.kind, q.start, q.end, q.raw, q.high, q.plus)
        phrase = subject_of(cells[cond][:cells[cond].find(q.raw)] if q.raw in cells[cond] else cells[cond])
        f = _make(line, path, phrase or row_name or cells[cond], q, "alert", cells[cond], cells[cond])
        if f:
            f.tier = tier
            _tolerated(f, q)
            out.append(f)
    return out


def _unnumbered_rule(line: Line, path: list[str], header: list[str], cells: list[str]) -> Unclear | None:
    """"| Schema drift | any | P2 |" in a table of rules: a rule its tier names whose condition has no number,
    said (it was dropped without a word); None for a row of another table (a routing table's "| SEV1 | PagerDuty |")."""
    sev = _severity_column(header, cells)
    cond = next((i for i, h in enumerate(header[:len(cells)]) if _CONDITION_COLUMN_RE.fullmatch(h) and i != sev and
                 not h.startswith("signal")), None)
    tier = tier_in(cells[sev]) if sev is not None else None
    if tier is None or cond is None or not cells[cond].strip(" *`-—"):
        return None
    return Unclear(line.number, line.text, path, f"line {line.number}: a rule without a number ({tier}): say which "
                   "metric shows it and at what value")


def _without_others_brackets(text: str, q: Quantity) -> str:
    """``text`` with the brackets that speak of another number blanked: one with a comparison of its own
    ("Replication lag under 30 s (page if > 2 min)": the page is the 2 min's) or a rung ("(page at 0.2%)"), or a
    tier right after another compared number ("> 100 (P2), > 1000 (P1)": P1 is the 1000's; not "…, page the
    on-call (SEV1)")."""
    out, others = text, [x for x in find_quantities(text) if x.start != q.start and x.op is not None]
    for m in re.finditer(r"\([^()]*\)", text):
        if m.start() <= q.start < m.end():
            continue
        inside = find_quantities(m.group(0))
        compares = any(x.op for x in inside)
        follows = any(x.end <= m.start() and not text[x.end:m.start()].strip() for x in others)
        # ("under 0.1% (page at 0.2%)": a rung of its own, said with its number)
        rung = bool(inside) and re.search(r"\b(?:page|warn\w*|alert|ticket|critical)\b", m.group(0), re.I)
        if compares or rung or (follows and (tier_in(m.group(0)) or _verdict(m.group(0)))):
            out = out[:m.start()] + " " * (m.end() - m.start()) + out[m.end():]
    return out


def _tolerated(f: Finding, q: Quantity) -> None:
    """"| Negative amounts | ≤ 10 per day | P3 |" in a Threshold column: what is tolerated of a signal that is bad
    when high, crossed upwards (an alert at "<= 10" fires while there are few)."""
    if q.op in ("<", "<=") and f.op == q.op and not f.drop and _BAD_HIGH_RE.search(f.phrase) and \
            not _good_when_high(f.phrase):
        f.op = negate(f.op)


# a column whose cells are sentences of their own: a postmortem's "| # | Action | Owner | Due |", a backlog's "Task"
_ITEM_COLUMN_RE = re.compile(r"(?:action(?: items?)?|tasks?|items?|descriptions?|to-?dos?|follow-?ups?|"
                             r"what(?: we do)?|proposals?|changes?)")


def _item_sentences(line: Line, path: list[str], header: list[str], cells: list[str]) -> list[Finding]:
    """The rules a row states as sentences in an item column ("| 1 | Alert when gateway TLS errors exceed 1% for
    3 minutes (page) | @maria | 2026-10-21 |"), each read as the line it would be; the owner or the row's number
    names nothing (the column was read as a rung named "Action", its signal "maria")."""
    out: list[Finding] = []
    for col, cell in enumerate(cells[:len(header)]):
        if _ITEM_COLUMN_RE.fullmatch(header[col].strip()) and len(cell.split()) >= 5 and \
                any(q.op for q in find_quantities(cell)):
            out += _line_findings(Line(line.number, line.raw, cell.strip(), False), path, "")
    return out


# a label with the bracket that defines it, before its colon: "Activation (first quiz within 24h of signup): 40%+"
_DEFINED_LABEL_RE = re.compile(r"^[\s*•-]*(?P<what>[A-Za-z][^:()]{1,60}?)\s*\((?P<def>[^()]{3,120})\)\s*:\s*(?=\S)")
# a column that says something about a row's rule, not a signal it judges
# (a human's response, "| Sev 1 | 15 minutes | 1 hour |" under "First response", "Updates every": no signal)
_META_COLUMN_RE = re.compile(r"\b(?:channels?|notif\w*|who|owners?|actions?|first response|response target|"
                             r"resolution|resolve|acknowledg\w*|updates?|cadence|frequency|every|escalat\w*|"
                             r"runbooks?|for|duration|window|descriptions?|notes?|examples?|meaning|definitions?|"
                             r"criteria|when|conditions?|triggers?|what|routing|route|sla)\b")


def _signal_cell(line: Line, path: list[str], signal: str, cell: str, qs: list[Quantity], tier: str) -> list[Finding]:
    """A rung of a severity's row in a table whose columns are signals ("| Warning | > 1% | > 500 ms |"), read as
    the sentence it says (``qs``: the cell's quantities); a bare number is crossed the way its signal is bad on."""
    if not qs:
        return []
    unit = unit_named_in(signal)  # "| p99 (ms) |": the column's unit for its bare numbers
    if unit and all(q.kind == "count" for q in qs):
        cell = f"{cell[:qs[0].end]} {unit}{cell[qs[0].end:]}"
        signal = without_unit_named(signal).strip()
    if not any(q.op for q in qs):
        cell = f"{'below' if _good_when_high(signal) else 'above'} {cell}"
    found = _line_findings(Line(line.number, line.raw, f"{signal} {cell}", False), [*path, "Alerts"], "")
    for f in found:
        f.tier, f.path = tier, path
    return found


def _table_row(line: Line, path: list[str], header: list[str], cells: list[str], idx: int) -> list[Finding]:
    rules = _rule_row(line, path, header, cells)
    stated = _item_sentences(line, path, header, cells) if rules is None else []
    if stated:
        return stated
    out = rules or []
    named = 0  # "| # | Signal | … |" with "| 2.1 | Crash-free sessions |": the row's number names nothing
    if re.fullmatch(r"#|no\.?|nr\.?|id|ref\.?|item|rank", header[0].strip()) or \
            re.fullmatch(r"[\d.]+", cells[0].strip()):
        named = next((i for i, c in enumerate(cells[1:], 1) if c.strip() and not find_quantities(c)), 0)
    phrase = cells[named]
    # "| Login API | success rate | 99.5% |": the row's service and its indicator name the signal together
    sli = next((i for i, h in enumerate(header[named + 1:len(cells)], named + 1) if re.fullmatch(_SLI_COLUMN_RE, h)),
               None)
    if sli is not None and cells[sli].strip() and not find_quantities(cells[sli]):
        phrase = f"{cells[named]} {cells[sli]}"
    targets: list[float] = []  # the row's stated target, to tell a bare alert value's direction by
    bare: list[tuple[Finding, bool]] = []  # (an alert value with no comparator, whether its column says "at")
    # (a rule table's row has its tier in its severity column: "| SEV1 | … | Response: 5 min |")
    row_tier = tier_in(cells[0]) if rules is None else next((tier_in(c) for c in cells if tier_in(c)), None)
    # "| Severity | Error rate | p95 latency |" over "| Warning | > 1% | > 500 ms |": rows of tiers, maybe of
    # colours ("| Level | … |" over "| 🔴 Red | … |")
    by_tier = rules is None and _SEVERITY_COLUMN_RE.fullmatch(header[0]) is not None
    colour = re.fullmatch(r"\W*(red|orange|amber|yellow)\W*", cells[0], re.I)
    if by_tier and not row_tier and colour:
        row_tier = colour.group(1).upper()
    # "| Metric | Unit | Warn (>) |": the row's unit for its bare numbers ("%", "min", "s"; "count" is none)
    unit_col = next((i for i, h in enumerate(header[:len(cells)]) if h.strip() in ("unit", "units")), None)
    row_unit = cells[unit_col].strip(" `*").lower() if unit_col is not None else None
    row_unit = row_unit if row_unit and known_unit(row_unit) else None
    for col, cell in enumerate(cells[1:], 1):
        name = header[col] if col < len(header) else ""
        if RELATIVE_CELL_RE.search(cell):
            continue  # "| no worse than -3% |": against the control's value, which extract says
        qs = find_quantities(cell)
        if row_tier and _RESPONSE_RE.search(name) and len(qs) == 1 and qs[0].kind == "duration" and \
                qs[0].op in (None, "<", "<="):
            # "| Sev 1 (production down) | 15 minutes |" under "First response": the row's tier's response
            # target, missed above it
            who = re.sub(r"\s*\(.*", "", cells[0]).strip()
            out.append(Finding(line.number, f"{name} {who}", ">", qs[0].value, "duration", row_tier, path,
                               f"{cells[0]} {name} {cell}"))
            continue
        if rules is not None:
            continue  # (the rest of a rule table's row is read by _rule_row)
        acting = _ACTION_COLUMN_RE.fullmatch(name)
        coded = None if acting else coded_tier(name)  # "| Signal | SEV2 | SEV1 |": each a rung of that tier
        # "| Signal | Launch day | Week 1 | Ongoing |": each column the same rule in its phase
        phased = None if acting or coded or not name or _SLI_COLUMN_RE.fullmatch(name) else phase_in(name)
        judged = re.search(r"target|alert|threshold|warn|crit|limit|goal|sla|max|min|\bpage|objective|\bslo\b|"
                           r"^normal|^healthy|\bexpect|guardrail|^green\b|^good\b|floor|ceiling|lower|upper", name)
        if by_tier and row_tier and name and not judged and not acting and not coded and not phased and \
                not _META_COLUMN_RE.search(name):
            out += _signal_cell(line, path, name, cell, qs, row_tier)  # each column a signal, each row its rungs
            continue
        if re.fullmatch(r"p\d{2,3}", name) or (not acting and not coded and not phased and not judged):
            continue
        criteria = bool(path) and is_target_context(path[-1]) and re.search(r"threshold|limit|bar|min|max", name)
        label = "target" if criteria or re.search(r"target|goal|sla|objective|\bslo\b|^normal|^healthy|\bexpect|"
                                                  r"^green\b|^good\b", name) else (
            "critical" if re.search(r"\bcrit(?!eri)", name) else ("warning" if "warn" in name else
                                                           ("page" if "page" in name else
                                                            ("guardrail" if "guardrail" in name else "alert"))))
        unit = unit_named_in(name) or row_unit
        compared = re.search(r"\(\s*(<=|>=|<|>|≤|≥)\s*\)", name)  # "| Warn (>) |": the column's comparison
        before: Finding | None = None  # the cell's rung a duration after it may hold or measure
        for q in qs:  # (the cell's quantities, read once above)
            if before is not None and q.kind == "duration" and q.op is None and _FOR_RE.search(cell[:q.start]):
                before.for_ = q.value  # "| > 70% for 30 min |": how long the rung must hold
                continue
            if before is not None and q.kind == "duration" and before.window is None and (
                    (q.op is None and _WINDOW_BEFORE_RE.search(cell[:q.start]))
                    or re.match(r"(?:over|in)\b", q.raw, re.I)):
                before.window = q.value  # "| > 5% over 15 min |", "| > 10 in 1 h |": what the rung is measured over
                before.counter = before.counter or (before.kind == "count" and not _LEVEL_RE.search(before.phrase))
                continue
            if unit and q.kind == "count":
                q = in_unit(q, unit)  # "| Warning (ms) |", a "| Unit |" column's "min"
            if compared and q.op is None:
                q = Quantity({"≤": "<=", "≥": ">="}.get(compared.group(1), compared.group(1)), q.value, q.kind,
                             q.start, q.end, q.raw, q.high, q.plus)
            side = _SIDE_COLUMN_RE.search(name) if q.op is None and not compared else None
            if side:  # "| Min | Max |", "| Floor | Ceiling |", "| Alert below | Alert above |": the column's side
                low = side.group("low") is not None
                op = (">=" if low else "<=") if label == "target" else ("<" if low else ">")
                q = Quantity(op, q.value, q.kind, q.start, q.end, q.raw, q.high, q.plus)
            # "| T+15m | … | Job errors > 2% |": a checkpoint's row, whose cells name their own signals
            own = subject_of(cell[:qs[0].start]) if _CHECKPOINT_RE.fullmatch(cells[named]) else ""
            f = _make(line, path, own if len(own) >= 3 else phrase, q, label, cell, f"{phrase} {name} {cell}")
            if f and label == "alert" and not side and not compared:  # (the cell's own comparison)
                _tolerated(f, q)
            if f and coded:
                f.tier = coded
            if f and phased:
                f.phase = phased
            if f and acting:
                # "| Signal | Normal | Investigate | Escalate |": each action column a rung, named as the table
                # names it, as severe as its word ("Escalate" over "Investigate")
                f.tier = tier_in(name) or name.strip().capitalize()
                f.severity = _ACTION_COLUMNS[acting.group(1)]
            if f:
                out.append(f)
                before = f
                if label == "target":
                    targets.append(q.value)
                elif q.op is None:
                    bare.append((f, name.endswith(" at"), q.high))
    for f, at, high in bare if targets else []:
        # "| Availability | 99.9% | 99.5% |": an alert value below the target fires below it
        f.op_guessed = False
        if high is not None and high <= targets[0]:
            # "| Orders per hour | > 500 | 200–500 | < 200 |": the band under the target starts below its top
            f.value, f.op = high, "<=" if at else "<"
        elif f.value != targets[0]:
            f.op = ("<=" if at else "<") if f.value < targets[0] else (">=" if at else ">")
    # "| Metric | Threshold | Action |" with "page payments on-call", "ticket (P3)", "notify #pay-eng": what the
    # row's alerts do is their tier
    act = next((i for i, h in enumerate(header[:len(cells)]) if re.fullmatch(
        r"(?:action|response|what to do|then|on breach|notify|notification|escalation)s?\b.*", h)), None)
    said = cells[act] if act is not None and rules is None and not find_quantities(cells[act]) else ""
    told = tier_in(said) or (alert_tier(said) if _ALERTWORD_RE.search(said) or TOLD_RE.search(said) else None)
    # "| Step | Baseline | Alert if below | Severity |": the row's severity column, where no rule table read it
    sev = _severity_column(header, cells)
    told = told or (tier_in(cells[sev]) if sev is not None and rules is None else None)
    for f in out if told else []:
        if f.tier == "ALERT":
            f.tier = told
    # a "For" / "Duration" / "Window" column: how long the row's alerts must hold (or what they measure over)
    for col, name in enumerate(header[1:len(cells)], 1):
        m = re.fullmatch(r"(for|duration|sustained(?: for)?|held(?: for)?|hold(?: for)?|window|over|evaluated over|"
                         r"evaluation window|measured over|look-?back)\b.*", name)
        held = duration_seconds(cells[col]) if m else None
        if held is None:
            continue
        for f in out:
            window = m.group(1) not in ("for", "duration") and not m.group(1).startswith(("sustained", "held", "hold"))
            if f.tier == TARGET and not window:
                continue  # (a criterion "measured over 24 h" keeps its window; a hold is an alert's)
            if window:
                if f.counter and f.window and f.window != held:
                    # "Checkout 5xx per minute | 20 | … | Evaluated over 5 min": 100 in the 5 minutes
                    f.value, f.window = round(f.value * held / f.window, 9), held
                f.window = f.window or held
            elif f.for_ is None:
                f.for_ = held
    # a "Notes" column that opens with a duration: "| Points accrual failures | > 1% | > 5% | over 10 minutes |"
    notes = next((i for i, h in enumerate(header[1:len(cells)], 1) if re.fullmatch(
        r"(?:notes?|comments?|remarks?|details?)\b.*", h)), None)
    opening = re.match(r"\s*(?:(?P<hold>for|sustained(?: for)?|held(?: for)?)|over(?: the last)?|in|measured over)\s+"
                       r"(?=\d|an?\b|one\b)", cells[notes], re.I) if notes is not None else None
    held = duration_seconds(cells[notes]) if opening else None
    for f in out if held else []:
        if opening.group("hold") and f.for_ is None and f.tier != TARGET:
            f.for_ = held
        elif not opening.group("hold") and f.window is None:
            f.window = held
    _orient_rungs(out)  # ("| Checkout success | 95% | 90% |" under "| Signal | Warn | Page |": below them)
    return out


_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
# the comparisons on the other side of one ("under 250 ms" against "above 400 ms")
_OTHER_SIDE = {"<": (">", ">="), "<=": (">", ">="), ">": ("<", "<="), ">=": ("<", "<=")}
# what is left of a resource: low is bad whatever the resource ("Free disk space", "Available memory")
_SPARE_RE = re.compile(r"\b(?:free|available|remaining|spare|headroom|left)\b", re.I)


_TIME_LEFT_RE = re.compile(r"\b(?:up-?time|mtbf|between failures|runway|remaining|left|until|expir\w*|retention|ttl)\b",
                           re.I)


def _good_when_high(phrase: str) -> bool:
    """Whether a signal is bad when low: what is left of a resource, or an outcome named with no cost beside it."""
    return bool(_SPARE_RE.search(phrase)) or (bool(_GOOD_HIGH_RE.search(phrase)) and not _BAD_HIGH_RE.search(phrase))


def _orient_rungs(found: list[Finding]) -> None:
    """Rungs a line gives as bare numbers ("Success rate — warning: 95%, critical: 90%") point the way their
    values go as the severity rises: falling values are a level falling below them. One such rung goes the
    way its signal is bad on ("Checkout success: warning 95%": below)."""
    guessed = [f for f in found if f.op_guessed]
    targets = {f.phrase: f.value for f in found if f.tier == TARGET}  # ("90% target, alert at 80%": below it)
    for phrase in dict.fromkeys(f.phrase for f in guessed):
        rungs = sorted((f for f in guessed if f.phrase == phrase), key=lambda f: _SEVERITY_RANK[severity_of(f.tier)])
        ranks = [_SEVERITY_RANK[severity_of(f.tier)] for f in rungs]
        values = [f.value for f in rungs]
        if len(rungs) > 1 and len(set(ranks)) == len(ranks):
            below = all(a > b for a, b in itertools.pairwise(values))
        elif len(rungs) == 1 and phrase in targets and rungs[0].value != targets[phrase]:
            below = rungs[0].value < targets[phrase]
        else:
            below = len(rungs) == 1 and _good_when_high(phrase)
        for f in rungs if below else []:
            f.op = {">": "<", ">=": "<="}.get(f.op, f.op)


def _make(line: Line, path: list[str], phrase: str, q: Quantity, label: str | None, segment: str,
          excerpt: str, prose: str = "") -> Finding | None:
    text = line.text
    stated = phrase  # (before its unit's name is taken out: "requests served under 300 ms")
    unit = unit_named_in(phrase) if q.kind == "count" and not re.search(r"x\s*$", q.raw, re.I) else None
    if q.kind == "count" and not unit and path and re.fullmatch(r"[a-z][a-z0-9_]*", path[-1]):
        unit = unit_named_in(path[-1])  # a config file's key over the line: "widget_load_p95_ms:"
    if q.kind == "count" and not unit and q.raw in text[q.start:q.end + 1]:
        unit = key_unit_in(text[max(0, q.start - 80):q.start])  # "`api_latency_ms` above 800"
    if unit:  # "p95 checkout latency (ms) | 800": 0.8 seconds
        q = in_unit(q, unit)
    if q.kind == "count" and 0 < q.value < 1 and re.search(r"(?:rate|ratio|share|fraction)$", phrase.replace("_", " ")):
        # "booking_error_rate: 0.02", "error ratio above 0.05": a share written as a fraction
        q = Quantity(q.op, q.value, "ratio", q.start, q.end, q.raw, q.high, q.plus)
    phrase = re.sub(r"\s+", " ", without_unit_named(phrase)).strip()
    if re.match(r"no older than\b", q.raw, re.I):
        phrase = f"{phrase} age"  # "recommendations are no older than 6 hours": their age, at most that
    done = re.search(r"\s+(?:(?:was|were|is|are|has been|have been)\s+)?last\s+([a-z]+)ed$", phrase, re.I) \
        if q.kind == "duration" and re.match(r"\s*ago\b", text[q.end:]) else None
    if done:  # "the model was last refreshed more than 12 hours ago": the age of its last refresh
        verb = done.group(1) + ("e" if re.search(r"[aeiou]t$", done.group(1)) else "")  # ("updated": update)
        phrase = f"{phrase[:done.start()]} {verb} age"
    if re.match(r"(?:below|under|beneath)\b", q.raw, re.I):
        phrase = re.sub(r"\s+(?:drops?|dips?)$", "", phrase)  # "Login success rate drops under 97%"
    # "Checkout 5xx per minute | 20": a count per period the row's name states
    period = _PERIOD_IN_NAME_RE.search(phrase.replace("_", " ")) if q.kind == "count" else None  # "bookings_per_hour"
    if period:
        phrase = re.sub(r"\s+", " ", phrase[:period.start()] + phrase[period.end():]).strip()
    within = next((m for m in _SENTENCE_RE.finditer(text) if m.start() <= q.start < m.end()), None) \
        if q.raw in text[q.start:q.end + 1] else None
    clause = within.group(0) if within else None
    if clause and NO_ALERT_RE.search(clause) and not TOLD_RE.search(clause):  # ("… worth a look in #shop (no page)")
        return None  # "Daily active members climbing above 50,000 is good news, no alert."
    after_q = text[q.end:] if q.raw in text[q.start:q.end + 1] else ""
    good_before = GOOD_BEFORE_RE.search(text[within.start():q.start]) if within and label is None else None
    if label is None and (GOOD_STATE_RE.match(after_q) or good_before):
        label = "target"  # "Queue depth ≤ 1000 is healthy", "Latency is fine below 300 ms": the state to keep
        phrase = subject_of(text[within.start():within.start() + good_before.start()]) or phrase \
            if good_before else phrase
    own = _without_others_brackets(text, q)  # ("Queue depth > 100 (P2), > 1000 (P1)": each its own)
    tier = _tier_from(path, label, own, prose, own[within.start():within.end()] if within else None)
    otherwise = _OTHERWISE_RE.search(after_q) if tier == TARGET else None
    if otherwise:  # "Conversion rate must remain above 2.5% (page if not)": the bound, missed, pages
        tier = VERDICT_TIERS.get(next(g for g in otherwise.groups() if g).lower(), "ALERT")
    if label is None and tier == TARGET and BAD_STATE_RE.match(after_q):
        tier = alert_tier(text)  # "A checkout success of less than 98% is unacceptable": the condition
    action = re.fullmatch(r"\s*(?:then\s+)?(?P<act>page|warn|ticket|open a ticket)\W*", text[within.end():]) \
        if within and label is None and tier in ("ALERT", TARGET) else None
    if action:  # "Latency over 800 ms is bad; page.": the clause after it says what to do
        tier = VERDICT_TIERS.get(action.group("act").lower(), "TICKET")
    if within and label is None and (ROLLS_BACK_RE.search(text[within.start():q.start]) or BLOCKS_RE.match(after_q) or
                                     _ROLLBACK_LEAD_RE.search(text[within.start():q.start])):
        tier = "ROLLBACK"  # "Roll back (…) if crash-free sessions drop below 98.5%, or if login success is under 85%"
    after = segment[segment.find(q.raw) + len(q.raw):] if q.raw in segment else ""
    op, guessed = q.op, False
    # a change against a baseline is a share or a count ("Drop > 10%"); "degradation (> 5 seconds)" is a level
    # ("5xx spike above 200 per minute" is a rate's level: a change is a share, or a count with no period)
    drop = (q.kind == "ratio" or (q.kind == "count" and not _PERIOD_AFTER_RE.match(after))) and bool(
        _DROP_RE.search(after[:30]) or _DROP_RE.search(segment[:max(0, segment.find(q.raw))][-25:] + q.raw[:8]))
    versus = _VERSUS_RE.match(after)
    multiple = re.search(r"double|twice|triple|times", q.raw, re.I) or re.match(r"\s*[x×]\b", after)
    if versus and q.kind == "ratio" and q.op in ("<", "<=") and versus.group("of"):
        # "below 50% of the same hour last week": a fall of more than half
        drop, q = True, Quantity(">" if q.op == "<" else ">=", round(1 - q.value, 9), q.kind, q.start, q.end, q.raw)
        op = q.op
    elif versus and multiple and q.op in (">", ">=", None) and not versus.group("of"):
        drop = True  # "more than double yesterday's", "3x last week": a rise (below)
    if op is None:
        if q.plus:
            op = ">="
        elif drop:
            op = ">"
        elif label is None:
            return None
        elif tier == TARGET or label == "guardrail":
            # a bare target is a bound the value may reach: "Target: 95%" at least, "Target: 2 s" at most; what the
            # signal is says which way first ("Conversion: 3%" at least, "Support tickets: 20 per day" at most)
            # ("99% of requests complete within 300 ms": a share of what the words after it say, done right)
            share = q.kind == "ratio" and re.match(r"\s+of\b", after) is not None
            what = after if share else stated
            # "Availability (non-5xx responses) | 99.9%", "requests served under 300 ms | 99%": a share of the good
            # ones, at least
            what = re.sub(r"\bnon-?\s*\w+", "", what, flags=re.I)
            op = ">=" if q.kind == "ratio" and _WITHIN_BOUND_RE.search(what) else \
                ">=" if share and not _BAD_HIGH_RE.search(after) else \
                ">=" if _good_when_high(what) else \
                "<=" if _BAD_HIGH_RE.search(what) else \
                ">=" if q.kind == "ratio" and q.value >= 0.5 else ("<=" if q.kind in ("duration", "size") or
                                                                   q.kind == "ratio" else ">=")
        elif (label or "").lower().endswith(" at") or re.search(r"\breach(?:es|ed)?\b", text[:q.start], re.I) or \
                re.search(r"\b(?:at|hits?)\s*$", segment[:max(0, segment.find(q.raw))], re.I):
            op, guessed = ">=", True  # "warn at 80%", "limit reached": reaching the number counts
        else:
            op, guessed = ">", True
    if q.kind == "ratio" and re.match(r"\s*over (?:the |its )?(?:budget|baseline|forecast|plan|limit|quota)\b",
                                      after, re.I):
        # "> 20% over budget": the spend is above 1.2 times the budget
        q = Quantity(q.op, round(1 + q.value, 9), q.kind, q.start, q.end, q.raw, q.high, q.plus)
    if drop and tier != TARGET and op in (">", ">=") and q.kind in ("ratio", "count") and (
            (multiple and versus) or _RISE_RE.search(after[:30]) or
            _RISE_RE.search(segment[:max(0, segment.find(q.raw))][-25:] + q.raw[:8])):
        factor = re.match(r"\s*[x×]\b", segment[segment.find(q.raw) + len(q.raw):] if q.raw in segment else "") \
            or multiple
        rise = q.value - 1 if factor else q.value
        q = Quantity(q.op, -rise, q.kind, q.start, q.end, q.raw, q.high, q.plus)
        op = "<" if op == ">" else "<="
    response = bool(_RESPONSE_RE.search(" ".join([phrase, text[:40], *path[-1:]]))) and q.kind == "duration"
    # "should not exceed 800 ms" states the healthy bound, as a target does: under an alert it is crossed too
    bound = re.match(r"(?:(?:must|should|may|will|does|do|can)\s+)?(?:not|never)\b", q.raw, re.I) is not None
    # "Checkout success rate at least 99%" under an alerts heading: the level to keep, crossed downwards (not
    # "alert if errors are at least 5%", whose "if" makes it the condition)
    bound = bound or (label is None and tier != TARGET and (re.match(
        r"(?:at least|at most|no (?:less|more|fewer) than)\b", q.raw, re.I) is not None or KEEP_RE.search(
        segment[:max(0, segment.find(q.raw))] if q.raw in segment else "")) and not re.search(
        r"\b(?:if|when|whenever|once|alert|page|warn)\b", text[:q.start], re.I))
    # "99% of requests complete within 400 ms" under an alerts heading: the share to keep, crossed downwards
    bound = bound or (label is None and tier != TARGET and q.kind == "ratio" and
                      re.fullmatch(r"[\d.,]+\s*%", q.raw.strip()) is not None and after_q != "" and
                      _share_done_in_time(text, q) is not None and
                      not re.search(r"\b(?:if|when|whenever|once)\b", text[:q.start], re.I))
    # "Less than 1 in 1000 messages lost" under an alerts heading: a bound on what goes wrong, crossed upwards
    bound = bound or (label is None and tier != TARGET and op in ("<", "<=") and q.op is not None and
                      not text[:q.start].strip(" -–*•:") and re.match(
                          r"[^.;,]*\b(?:lost|dropped|failed|failures?|errors?|timeouts?|rejected)\b", after, re.I)
                      is not None and not re.search(r"\b(?:if|when|whenever|alert|page|warn)\b", text, re.I))
    # "The queue must never hold more than 10,000 messages": what the words before forbid is the miss itself
    forbidden = q.op is not None and re.search(r"\b(?:never|not|n't)\s+(?:[a-z]+\s+){0,2}$", text[:q.start], re.I)
    # "Error rate above 2% for 5 minutes" under "## Objectives": a comparison on the side a signal is known to be bad
    # on states the miss itself, not the level to keep ("Uptime below 99.9%" too)
    spare = bool(_SPARE_RE.search(phrase))  # ("Free disk space below 10%": what is left, bad when low)
    # (a time something takes is bad when long, whatever it does: "Median time to complete sign-up … over 15 min"; not
    # a time left or between failures)
    lasting = q.kind == "duration" and not spare and not _TIME_LEFT_RE.search(phrase)
    bad_high = (bool(_BAD_HIGH_RE.search(phrase)) and not _GOOD_HIGH_RE.search(phrase) and not spare) or lasting
    good_high = _good_when_high(phrase) and not lasting
    # (the signal named before its number: "< 1% of orders need manual review" is a share of what the words after say)
    miss = tier == TARGET and label is None and q.op is not None and (q.kind == "ratio" or spare) and not drop and \
        not bound \
        and bool(text[:q.start].strip(" -–*•:")) and not re.search(r"-free\b|\bfree of\b|\bwithout\b", phrase) and (
        (op in (">", ">=") and bad_high) or (op in ("<", "<=") and good_high))
    clause_text = clause or text
    # the line says its own condition ("alert if", "rises above", "… is an incident"), or its rung ("> 5k → page")
    conditioned = bool(CONDITION_WORD_RE.search(clause_text) or CROSSES_RE.search(clause_text) or
                       BAD_STATE_RE.match(after_q))
    own_condition = conditioned or bool(_RUNG_AFTER_RE.match(after_q))
    # "## Guardrails: - Payout success rate ≥ 99.5%": a guardrail, like a target, states the bound to keep (not
    # "Error rate > 1%", whose side is the bad one, nor "rises above 0.8%", "> 5k → page", "… is an incident")
    kept = tier == "GUARDRAIL" and label is None and q.op is not None and not drop and not (
        own_condition or (op in (">", ">=") and bad_high) or (op in ("<", "<=") and good_high))
    # "p99 under 250 ms; between 250 and 400 ms is degraded, above 400 ms is an incident": a first clause that says
    # nothing of itself, before clauses calling the far side bad, is the healthy side
    rest = text[within.end():] if within else ""
    healthy_side = label is None and within is not None and q.op in _OTHER_SIDE and not conditioned and \
        any(o.op in _OTHER_SIDE[q.op] and (BAD_STATE_RE.match(rest[o.end:]) or _RUNG_AFTER_RE.match(rest[o.end:]))
            for o in find_quantities(rest))
    # "## Alerts - Availability ≥ 99.9%", "Error rate < 1%": a comparison on the side its signal is good on states
    # the level to keep (nobody alerts on a high availability), unless the line says its own condition
    good_side = tier != TARGET and label is None and q.op is not None and not drop and not own_condition and (
        (op in (">", ">=") and good_high and not bad_high) or (op in ("<", "<=") and bad_high))
    if (tier == TARGET or label == "guardrail" or bound or otherwise or kept or healthy_side or good_side or
            (response and op in ("<", "<="))) and \
            not forbidden and not miss:
        op = negate(op)  # (a guardrail's cell, like a target's, states the bound to keep)
    f = Finding(line.number_at(_digit_at(q)), phrase or (path[-1] if path else "signal"), op, q.value, q.kind, tier,
                path, excerpt.strip(), drop=drop, op_guessed=guessed and not drop and tier != TARGET)
    subject_after = not text[:q.start].strip(" -–*•:") and bool(re.match(r"\s+[a-z]{3,}", after, re.I))
    pm = _PERIOD_AFTER_RE.match(after) or period
    if pm is None and (subject_after or q.kind == "count"):  # "Fewer than 20 support tickets per day"
        # ("20,000 payouts a day", "50 5xx responses per minute")
        words = re.match(r"\s*(?:(?:[A-Za-z]|\d+[A-Za-z])[\w-]*\s+){1,5}?(?=/|per |each |every |"
                         r"a (?:second|minute|hour|day|week|month)\b)", after)
        pm = _PERIOD_AFTER_RE.match(after[words.end():]) if words else None
    # ">100 sign-ups": a total to reach over the period (a report's goal); "fewer than 20 … per day" a tally
    f.total = tier == TARGET and q.kind == "count" and q.op is not None and q.high is None and \
        not re.search(r"[$€£/]", q.raw) and subject_after and pm is None and \
        not re.search(r"\b(?:at all times|at any time|always|continuously|running|healthy|available)\b", after, re.I) \
        and not _COUNTED_OVER_RE.match(after)  # ("No more than 3 failed payouts in any 10-minute window": a tally)
    # ("At least 3 healthy pods at all times": a level to hold, not a total to reach)
    f.slo = tier == TARGET and q.kind == "ratio" and bool(AVAILABILITY_RE.search(f"{phrase} {after[:15]}"))
    if pm and tier == TARGET and q.kind == "count" and q.op in ("<", "<=", ">", ">="):
        # "< 5/week": a tally is a whole number, so the fifth one misses the target (>= 5)
        f.op = negate(q.op)
    if pm:
        f.window = float(int(pm.group("n") or 1) * _PERIOD_SECONDS[pm.group("unit").lower()])
        f.counter = q.kind == "count"
    adverb = re.match(r"(hourly|daily|weekly|monthly)\b", f.phrase, re.I)
    if adverb and f.window is None and q.kind == "ratio" and not drop:
        # "Monthly Uptime Percentage of at least 99.95%": measured over the month
        f.window = float(_PERIOD_SECONDS[_ADVERB_PERIODS[adverb.group(1).lower()]])
    return f


def _per_tier_times(line: Line, path: list[str]) -> list[Finding]:
    """"Response Time: 15 minutes for critical, 1 hour for high priority": one response target per tier,
    missed above its value, in the tier the words after "for" name."""
    label, sep, rest = line.text.partition(":")
    if not sep or not _RESPONSE_RE.search(label):
        return []
    out = []
    for part in re.split(r"[,;]|\band\b", rest):
        m = re.match(r"^(?P<q>.*?)\bfor\b(?P<who>.+)$", part.strip())
        tier = tier_in(m.group("who")) if m else None
        qs = find_quantities(m.group("q")) if m else []
        if tier is None or len(qs) != 1 or qs[0].kind != "duration" or qs[0].op not in (None, "<", "<="):
            return []
        out.append(Finding(line.number, f"{label.strip()} {m.group('who').strip()}", ">", qs[0].value,
                           "duration", tier, path, line.text))
    return out if len(out) >= 2 else []


_LIMIT_RE = re.compile(r"^(?:maximum(?: of)?|max\.?|up to|limit(?:ed)? (?:of|to))\s+(?P<n>\d[\d,]*)\s+"
                       r"(?P<what>\D{3,60})$", re.I)
_LIMIT_CONTEXT_RE = re.compile(r"\b(?:limit\w*|quotas?|capacity|constraints?)\b", re.I)
_GROW_TO_RE = re.compile(r"\b(?:increase|grow|scale|raise|expand|extend)\s+(?:the\s+)?(?P<what>[a-z][\w -]{2,40}?)\s+"
                         r"to\s+(?P<n>\d[\d,]*)\b", re.I)


def _limit_or_capacity(line: Line, path: list[str]) -> list[Finding]:
    """"Maximum 5 concurrent conversations" under a limitations heading: reaching the limit alerts;
    "Increase number pool to 100 numbers" in a rollout step: a capacity to reach, missed below it."""
    limit = _LIMIT_RE.match(line.text)
    if limit and any(_LIMIT_CONTEXT_RE.search(h) for h in path[-2:]):
        return [Finding(line.number, limit.group("what"), ">=", float(limit.group("n").replace(",", "")), "count",
                        alert_tier(line.text), path, line.text)]
    grow = _GROW_TO_RE.search(line.text)
    if grow:
        return [Finding(line.number, grow.group("what"), "<", float(grow.group("n").replace(",", "")), "count",
                        TARGET, path, line.text)]
    return []


# "KR1: Raise activation from 21% to 30%": the verb and label before what a key result changes
_CHANGE_LEAD_RE = re.compile(r"^\W*(?:KR\s*\d+\s*[:.)—–-]\s*)?(?:(?:raise|increase|grow|lift|improve|boost|cut|"
                             r"reduce|lower|decrease|shrink|shorten|bring down|bring|move|get|take)\s+)?"
                             r"(?:the\s+|our\s+)?", re.I)


def _from_to(line: Line, path: list[str]) -> list[Finding]:
    """"Raise activation from 21% to 30%", "Cut median time-to-first-report from 3 days to 1 day": a key result,
    the level to reach (missed on the side it moves away from); the first number is where it stands today."""
    text = line.text
    qs = find_quantities(text)
    for was, to in itertools.pairwise(qs):
        if was.op or to.op or was.kind != to.kind or was.value == to.value or \
                not re.search(r"\bfrom\s+$", text[:was.start], re.I) or \
                not re.fullmatch(r"\s+to\s+", text[was.end:to.start], re.I):
            continue
        head = re.sub(r"\([^)]*\)", " ", re.sub(r"\bfrom\s+$", "", text[:was.start], flags=re.I))
        phrase = subject_of(_CHANGE_LEAD_RE.sub("", head, count=1))
        f = Finding(line.number_at(to.start), phrase or heading_subject(path)[0], ">" if to.value < was.value else "<",
                    to.value, to.kind, _tier_from(path, "target", text), path, text)
        f.note = f"from {was.raw}: where the document says it stands today"
        return [f]
    return []


def _stems(words: str) -> set[str]:
    return {w.lower().rstrip("s") for w in words.split()}


def _line_findings(line: Line, path: list[str], subject: str, prose: str = "",
                   carried: Finding | None = None) -> list[Finding]:
    """The thresholds of one line, sentence by sentence; ``carried``: the last one of the sentence before
    ("KYC approvals: fewer than 5% rejected. Investigate above 8%": the same signal's next rung)."""
    text = line.text
    special = _per_tier_times(line, path) or _limit_or_capacity(line, path) or _from_to(line, path)
    if special:
        return special
    out: list[Finding] = []
    zero = _ZERO_RE.search(text) or _TO_ZERO_RE.search(text) or (_NONE_RE.search(text) if path else None)
    if zero and any(q.op and q.kind != "duration" and q.end <= zero.start() for q in find_quantities(text)):
        zero = None  # "more than 2% of responses return zero items for 15 minutes": what the share counts
    if zero:
        qs = [q for q in find_quantities(text) if q.kind == "duration" and q.end > zero.end()]
        if qs:
            what = zero.groupdict().get("what") or heading_subject(path)[0]  # "Sign-ups: page if none for …"
            if subject and re.fullmatch(r"(?:increase|change|activity|progress|movement|new data|data)", what, re.I):
                what = subject  # "metric: settlements_total" over "condition: no increase in 2h"
            # "no batch has completed in …": what is counted is the batches completed; "Settlement batch: page if
            # no batch has …" names which
            what = re.sub(r"\s+(?:has|have|had|been|is|are|was|were|got|gets)\b", "", what, flags=re.I)
            head = re.match(r"^\s*(?:\d{1,2}[.)]\s+)?([A-Za-z][\w /-]{1,40}?)\s*(?::|\s[—–-])\s", text)
            if head and zero.groupdict().get("what") and head.end() <= zero.start() and \
                    _stems(head.group(1)) & _stems(what):
                words = what.split()
                what = " ".join([head.group(1), *[w for w in words[1:] if w.lower() not in head.group(1).lower()]])
            tier = _tier_from(path, None, text)
            f = Finding(line.number_at(qs[0].start), what, "==", 0.0, "count",
                        "ALERT" if tier == TARGET else tier, path, text,
                        window=qs[0].value, counter=True)
            return [f]
    one = _ANY_ONE_RE.search(text) if not find_quantities(text) else None
    if one:  # "Failed payouts: zero tolerance — any failed payout creates a P1 ticket": a single one is too many
        tier = tier_in(text[one.end("what"):]) or _tier_from(path, None, text)
        return [Finding(line.number, one.group("what"), ">", 0.0, "count", "ALERT" if tier == TARGET else tier, path,
                        text, note="any one: above zero; review the metric that counts them (a running total stays "
                                   "above zero: count them over a window)")]
    nil = _STAYS_ZERO_RE.match(text)
    if nil:  # "Payment errors should be zero": the first one misses it (under an alerts heading, fires)
        said = text[:nil.end()].rstrip(" ;")
        f = Finding(line.number_at(nil.start("n")), nil.group("what"), ">", 0.0, "count", _tier_from(path, None, said),
                    path, said)
        rest = text[nil.end():]  # "DLQ depth should be 0; any message older than 1h pages the on-call"
        return [f, *(_line_findings(line.part(nil.end(), rest), path, subject, prose, f) if rest.strip() else [])]
    idle = NOT_DONE_RE.search(text)
    if idle:  # "If the points balance job hasn't completed in 3 hours, page": the age of its last completion
        qs = [q for q in find_quantities(text[idle.end():]) if q.kind == "duration"]
        if qs and not text[idle.end():idle.end() + qs[0].start].strip():
            tier = _tier_from(path, None, text)
            return [Finding(line.number_at(idle.end() + qs[0].start),
                            f"{idle.group('what')} {DONE_NOUNS[idle.group('verb').lower()]} age", ">", qs[0].value,
                            "duration", "ALERT" if tier == TARGET else tier, path, text, for_=0.0)]
    stuck = _NO_OLDER_RE.match(text)
    if stuck:  # "No failed transfers older than 2 hours": the oldest one's age, above it
        qs = [q for q in find_quantities(text[stuck.end():]) if q.kind == "duration"]
        if qs:
            tier = _tier_from(path, None, text)
            return [Finding(line.number_at(stuck.end() + qs[0].start), f"oldest {stuck.group('what')} age", ">",
                            qs[0].value, "duration",
                            "ALERT" if tier == TARGET else tier, path, text, for_=0.0)]
    parts = sentences(text)
    if len(parts) > 1:  # "… are a warning (marketing cares). Keep the unsubscribe rate below 0.5%."
        out: list[Finding] = []
        told = ""  # the sentence before, quoted with a rung that takes its signal
        for at, sentence in parts:
            rated = _SEVERITY_SENTENCE_RE.match(sentence)
            if rated and out:  # "1. High error ratio — more than 0.5% of requests fail. Severity: page."
                word = rated.group("word")
                for f in out:
                    f.tier = VERDICT_TIERS.get(word.lower()) or tier_in(word) or word.upper()
                continue
            prior = out[-1] if out else carried
            # (a later sentence's "Anything under 2.5%" is of what the line's "Checkout conversion:" label names)
            labelled = re.match(r"^\W*(?:\d{1,2}[.)]\s+)?([A-Za-z][\w /()→>-]{1,40}?):\s", text) if at else None
            found = _line_findings(line.part(at, sentence), path, subject or (labelled.group(1) if labelled else ""),
                                   prose, prior)
            for f in found:
                if prior is not None and f.phrase == prior.phrase and told:
                    f.excerpt = f"{told} {f.excerpt}"
            out += found
            told = sentence.strip()
        return out
    qs = find_quantities(text)
    # "Activation (first quiz completed within 24h of signup): 40%+": a bracket that defines the label's signal
    defined = _DEFINED_LABEL_RE.match(text)
    inside = find_quantities(defined.group("def")) if defined else []
    # (not "Error rate (5m avg): > 2%", a window; nor "Sev2 (Slack #search-rollout): error rate > 1%", a tier's)
    if not (defined and inside and all(q.op in (None, "<=") for q in inside) and not tier_in(defined.group("what"))
            and len(re.findall(r"[A-Za-z]{2,}", defined.group("def"))) >= 3
            and any(q.start >= defined.end() for q in qs)):
        defined = None
    qs = [q for q in qs if not (defined and defined.start("def") <= q.start < defined.end("def"))]
    labels = [(m.start(), m.group("label")) for m in LABEL_RE.finditer(text)]
    prev_end = before_start = 0
    measured: float | None = None
    measured_at: int | None = None  # where a bracketed window before the first number opens ("Error rate (5m avg)")
    segments_used: set[int] = set()
    slow_bounds: set[int] = set()  # where the durations that bound a share done late start their digits
    qualifier: tuple[int, int, int] | None = None  # "on orders over $100" (start, its number's end, the next's start)
    spans: dict[int, tuple[int, int]] = {}  # where each finding's number stands in ``text``
    for n, q in enumerate(qs):
        if q.kind == "duration" and any(q.start <= at < q.end for at in slow_bounds):
            continue  # ("< 1% of requests take longer than 2 s": the share's condition, in its name)
        if q.op is None and q.kind == "count" and n + 1 < len(qs) and re.search(r"\bper\s*$", text[:q.start], re.I):
            continue  # "Cost per 1k queries ≤ $0.40": the 1k is the signal's denominator, no level of its own
        heading_window: float | None = None
        segment = max((pos for pos, _ in labels if pos < q.start), default=-1)

        if not (n and qs[n - 1].op is None and qs[n - 1].kind == "count" and
                re.search(r"\bper\s*$", text[:qs[n - 1].start], re.I)):
            before_start = prev_end  # (not "Cost per 1k queries ≤ $0.40": the 1k is the signal's denominator)
        before = _ADVERB_PERIOD_RE.sub(" ", text[before_start:q.start], count=1)  # (the number before's)
        prev_q_end, prev_end = prev_end, q.end
        if qualifier is None and _qualifies(text, qs, n):
            # "Refund rate on orders over $100 above 5%": which orders the rate counts, no threshold of its own
            qualifier = (_QUALIFIER_OPENS_RE.search(text[:q.start]).start("prep"), q.end, qs[n + 1].start)
            continue
        if _older_than(text, q):  # "Upload queue older than 15 minutes": its age, above (not "(older than 2 min)")
            q = Quantity(">", q.value, q.kind, q.start, q.end, q.raw)
        if _SKIP_BEFORE_RE.search(text[:q.start]) and q.op is None and not (
                q.kind != "count" and _RUNG_BEFORE_RE.search(text[:q.start])):  # ("page 2%" is no page's number)
            continue
        if re.match(r"^\s*[:.)]", text[q.end:]) and q.op is None and not q.plus and q.kind == "count" and not (
                text[q.end:].lstrip().startswith(")") and text.rfind("(", 0, q.start) > text.rfind(")", 0, q.start)) \
                and not (re.fullmatch(r"\s*\.\s*", text[q.end:]) and text[:q.start].strip()):
            continue  # "1. Restart", "Rule 1:", "1) Restart" (not a bracket's "(goal €0.40)", nor "we page at 1,000.")
        if q.kind == "duration" and q.op is None and "-" in q.raw and _MEASURED_NOUN_RE.match(text[q.end:]):
            measured = q.value  # "Page when 5-minute availability drops below 99.5%": the next one's window
            continue
        bracket = re.search(r"[(\[]\s*$", text[:q.start]) if q.kind == "duration" and q.op is None else None
        if bracket and not out and _MEASURED_BRACKET_RE.match(text[q.end:]):
            measured, measured_at = q.value, bracket.start()  # "Error rate (5m avg) > 1%": the next one's window
            continue
        if bracket and out:
            # "error rate > 1% (5m)": the hold; "> 0.5% [15m]", "(1h window)": what it is measured over
            if bracket.group(0).strip() == "[" or re.match(r"\s*window\b", text[q.end:], re.I):
                out[-1].window = q.value
            else:
                out[-1].for_ = q.value
            continue
        # "…, or the API unavailable for 2+ minutes": the clause's own outage, not the rule before's hold
        outage = q.kind == "duration" and (q.op in (None, ">", ">=")) and bool(re.search(
            r"\b(?:or|and)\s+(?:the\s+|our\s+)?[\w -]{2,40}?\b(?:down|unavailable|unreachable|offline)\s+for\s*$",
            text[prev_q_end:q.start], re.I))
        if outage:
            what = re.search(r"\b(?:or|and)\s+(?:the\s+|our\s+)?(?P<what>[\w -]{2,40}?)\s+(?:is\s+|are\s+)?"
                             r"(?:down|unavailable|unreachable|offline)\s+for\s*$", text[prev_q_end:q.start], re.I)
            out.append(Finding(line.number_at(_digit_at(q)), what.group("what") if what else "service", "==", 0.0,
                               "up", _tier_from(path, None, text, prose), path, text, for_=q.value))
            continue
        if q.kind == "duration" and q.op is None and n == 0 and re.search(r"\bfor\s*$", text[:q.start], re.I) and \
                (_DOWNTIME_RE.search(text[:q.start]) or _FAILING_FOR_RE.search(text[:q.start])):
            q = Quantity(">", q.value, q.kind, q.start, q.end, q.raw)  # "Checkout API down for 2 minutes": held so long
        if _FOR_RE.search(text[:q.start]) and q.kind == "duration" and (q.op is None or (
                out and q.op in (">", ">=") and re.search(r"\bfor\s*$", text[:q.start], re.I))):
            # "warn at 400 ms, page at 1 s (sustained 10 min)": a hold in brackets that ends the line holds every rung
            # ("warn below 97%; page below 93% (sustained 10 min)": a clause of its own, the page's alone)
            # (not "(critical if fewer than 95% for 15 min)": the bracket's own rung's)
            opened = re.search(r"\([^()]*$", text[:q.start])
            closing = opened and re.fullmatch(r"\s*\)\s*[.;]?\s*", text[q.end:]) and ";" not in text[:q.start] and \
                not find_quantities(opened.group(0))
            for f in [f for f in out if f.for_ is None] if closing else out[-1:]:
                f.for_ = q.value
            continue
        if q.kind == "duration" and out and out[-1].window is None and (
                out[-1].kind != "duration" or not text[prev_q_end:q.start].strip()) and (
                (q.op is None and _WINDOW_BEFORE_RE.search(text[:q.start])) or
                re.match(r"(?:over|in)\b", q.raw, re.I) or
                (out[-1].kind == "count" and out[-1].op in (">", ">=") and re.match(r"within\b", q.raw, re.I))):
            # "above 3% over 15 minutes": what the ratio is measured over ("more than 3 pods restart within 10
            # minutes": the restarts counted in that while, not a second rule)
            out[-1].window = q.value
            # "AI errors > 10 in 1 hour": an increase; "consumer lag over 10k in the last hour": a level, averaged
            out[-1].counter = out[-1].counter or (out[-1].kind == "count" and not _LEVEL_RE.search(out[-1].phrase))
            continue
        window_before = _WINDOW_BEFORE_RE.search(text[:q.start])
        if window_before and q.kind == "duration" and q.op is None:
            if out:
                out[-1].window = q.value
            elif not carried and re.match(r"\s*:", text[q.end:]):
                # "Failed logins in 5 minutes: warn at 200, page at 1,000": the label's window, its signal counted
                # in it (not "failed logins 5", a level)
                measured, measured_at = q.value, window_before.start()
            continue
        if _is_window(text, q):  # "over a rolling 28-day window": the window of the one before, or the next
            if out and out[-1].window is None:
                out[-1].window = q.value
            else:
                measured = q.value
            continue
        second = q.kind == "ratio" and re.search(r"\band (?:an? |the )?[a-z]{3,}[\w ]* (?:of|at)\s*$", before, re.I)
        rung = re.search(r"[;,]\s*(?:and\s+)?at\s*$", text[:q.start])  # "… beyond 80% full; at 90% page"
        # "Disk at 85 percent -> sev3; 95 percent -> sev1": the next rung, its tier said after it as the first's was
        rung = rung or (n > 0 and qs[n - 1].kind == q.kind and q.op is None and
                        re.fullmatch(r"[^;,]*[;,]\s*", text[qs[n - 1].end:q.start]) is not None and
                        re.match(r"\s*(?:->|→|=>|:)", text[q.end:]) is not None and
                        _verdict(text[q.start:]) is not None)
        # "If 1% of requests fail for 10 minutes, warn; 5% for 5 minutes pages": a clause of a bare number and its
        # verdict, the rule before's next rung
        rung = rung or (q.op is None and bool(out) and out[-1].kind == q.kind and out[-1].op in (">", ">=") and
                        re.search(r";\s*$", text[:q.start]) is not None and _verdict(text[q.start:]) is not None)
        if rung and not re.search(r"\bat\s*$", text[:q.start]):
            q = Quantity((out[-1].op if out and out[-1].kind == q.kind else None) or qs[n - 1].op or ">=", q.value,
                         q.kind, q.start, q.end, q.raw, q.high, q.plus)
        # "Error rate: 0.5% (warn), 2% (page)", "warn 0.5%, page 2%": the rung word beside a bare number
        # (said after a compared number too: "> 1k (warn), > 5k (page)", "> 5k → page")
        beside = None if path and is_target_context(path[-1]) else _RUNG_AFTER_RE.match(text[q.end:]) or (
            _RUNG_BEFORE_RE.search(text[:q.start]) if q.op is None else None)
        if q.op is None and segment in segments_used and not q.plus and not second and not rung and not beside and \
                not _BAND_RE.search(text[prev_q_end:q.start]):  # (not "… (P2 outside ±10%)": its own band)
            continue  # "< 30 of 100 max", "> 50 (75% full)": the rest of a stated threshold
        if q.op in ("<", "<=") and q.kind == "duration" and out and out[-1].kind == "ratio" and \
                re.search(r"within\s*$", text[:q.start].rstrip()[-8:] + " ", re.I) is None and \
                re.search(r"within", text[q.start:q.start + 8], re.I) and not re.search(r"[<>]", before):
            continue  # "95% within 1 hour": the duration is the ratio's condition
        if q.op in ("<", "<=") and q.kind == "duration" and out and out[-1].kind == "ratio" and \
                re.search(r"%\s+of\s+[a-z][\w -]{0,40}$", text[:q.start], re.I):
            continue  # "95% of requests under 1 s": the share that is fast enough
        label, label_at = None, -1
        for pos, lab in labels:
            if pos < q.start:
                label, label_at = lab, pos
        if label is not None and n and prev_q_end <= label_at and re.search(r"[;,]", text[label_at:q.start]):
            # "p95 over 1.5 s for 10 minutes is a warning; p99 over 4 s pages": the clause before's verdict
            label, label_at = None, -1
        if label is not None and n and label_at < prev_q_end and _ROLLBACK_LEAD_RE.search(text[prev_q_end:q.start]):
            label, label_at = None, -1  # "Worry below 50%, roll back below 40%": the second clause says its own
        if label is None and (_NORMALLY_RE.match(text[q.end:]) or _STAYS_RE.search(text[:q.start])):
            label = "target"  # "p95 under 90s normally", "must stay above 99.5%": the bound, a target
        if beside and (label is None or beside.re is _RUNG_AFTER_RE):  # ("0.5% (warning) / 2% (critical)")
            label = beside.group("word").lower()
        if label is None and q.op is None and _GOAL_AFTER_RE.match(text[q.end:]):
            label = "target"  # "Cache hit ratio: 90% target, alert at 80%": the number said before its word
        # the words between the last comma or semicolon and the label: none, and the label is the same signal's
        # next rung ("order_success_rate: warn below 97%, page below 93%")
        unnamed = label_at >= q.start - len(before) and \
            len(subject_of(re.split(r"[;,]", text[q.start - len(before):label_at])[-1])) < 3
        phrase = subject_of(text[:q.start] if n == 0 or not subject_of(before) else before)
        if qualifier is not None and qualifier[1] <= q.start and n and qs[n - 1].end == qualifier[1]:
            phrase = subject_of(text[:qualifier[0]]) or phrase  # (the refund rate's, not the orders')
        if measured_at is not None and not out:
            phrase = subject_of(text[:measured_at]) or phrase  # (of the error rate, not of its "avg")
        if out and out[-1].kind == q.kind == "duration" and re.fullmatch(r"p\d{2,3}(?:\.\d+)?", phrase.strip(), re.I):
            # "Latency: p50 > 200ms, p95 > 500ms": the same latency's next percentile (not "error rate > 1%, p95 …")
            swapped = re.sub(r"\bp\d{2,3}(?:\.\d+)?\b", phrase.strip(), out[-1].phrase, flags=re.I)
            phrase = swapped if swapped != out[-1].phrase else f"{out[-1].phrase} {phrase.strip()}"
        if beside is not None and beside.re is _RUNG_BEFORE_RE and n == 0:
            phrase = subject_of(text[:beside.start()]) or phrase  # "Error rate: warn 0.5%": of the error rate
        if out and re.search(r";\s*$", before):  # "p95 under 300 ms is normal; 1s+ for 3 min -> sev2": the same one's
            phrase = out[-1].phrase
        opened = re.search(r"\(\s*(?P<who>[\w-]{1,12}\s+)?(?:if|when|once|at)\s*$", before)
        if out and opened and (not opened.group("who") or tier_in(opened.group("who")) or
                               _verdict(opened.group("who")) or opened.group("who").strip().lower() in VERDICT_TIERS):
            phrase = out[-1].phrase  # "… no more than 15 minutes behind the source (P1 if > 60 min)": the same one's
        if n and re.search(r"\b(?:and|but|while|whereas|with)\s+(?:an?\s+|the\s+)?\w+[\w ]*$", before):
            # ("Sustain 500 RPS with p99 < 300 ms": the p99's own)
            tail = subject_of(re.split(r"\b(?:and|but|while|whereas|with)\b", before)[-1])
            phrase = tail if len(tail) >= 3 else phrase  # "… 500 bookings per day and an uptime of 99.9%"
        if label and n == 0 and label_at > 0 and (text[:label_at].rstrip().endswith((":", "(")) or
                                                  not text[label_at:q.start].split(None, 1)[1:]):
            # "order_success_rate: warn below 97%", "Error rate (warn > 2%, page > 5%)"
            phrase = subject_of(text[:label_at].rstrip().rstrip(":(").rstrip())
        if n == 0 and not phrase and carried is not None and _COUNTED_IN_RE.match(text[q.end:]):
            phrase = carried.phrase  # "We want fewer than 5 failed payouts an hour. More than 20 in an hour is a page."
        elif n == 0 and not phrase and not text[:q.start].strip(" -–*•:") and \
                not VERDICT_AFTER_RE.match(text[q.end:]):
            # "<$10 ARS customer acquisition cost": the subject follows the number
            rest = re.sub(r"^\s*(?:[A-Z]{3}\b|of\b|in\b)?", "", text[q.end:])
            phrase = subject_of(re.split(_SUBJECT_ENDS + IN_NOT_WHERE, rest)[0])
        elif n == 0 and _CAPACITY_VERB_RE.fullmatch(phrase.strip()):
            # "Sustain 500 requests per second", "Handle 2,000 QPS": what is sustained follows the number
            phrase = subject_of(re.split(_SUBJECT_ENDS + IN_NOT_WHERE, text[q.end:])[0]) or phrase
        head = re.match(r"^(.+?)(?::|\s[—–-])\s", text)  # "Refund queue: warn …", "Refund queue — warn when …"
        if label and not subject_of(before):
            named = head.group(1)[:measured_at] if head and measured_at is not None else head and head.group(1)
            phrase = subject_of(named + ":") if named else phrase  # ("warn: 1%": no signal)
        if re.search(r"\b(target|goal|alert|threshold)\b", phrase, re.I) or not phrase:
            # "when fewer than 10 referrals are redeemed": the words after; a label's line keeps its heading
            # ("Alert if fewer than 100 signups in an hour": a condition's label with nothing before it, the words
            # after; "Target: >4.5/5 average rating" under "### Customer Satisfaction" keeps the heading's)
            phrase = subject_of(phrase) or subject or (named_after(text[q.end:]) if label is None or (
                q.kind == "count" and not text[:max(label_at, 0)].strip(" -–*•:") and
                re.match(r"alert|alarm|warn|page|crit", label, re.I)) else "")
            if not phrase and (out or carried) and not text[:q.start].strip(" -–*•:(").split()[1:]:
                phrase = (out[-1] if out else carried).phrase  # "… must remain above 4. Fewer than 2 is an outage"
            if not phrase and re.match(r"\s+of\s+[a-z]", text[q.end:], re.I):
                phrase = named_after(text[q.end:])  # "Alert when less than 98% of checkouts succeed"
            if not phrase and path:  # "failed downloads over 30 minutes" over "warn above five percent"
                phrase, heading_window = heading_subject(path)
        prior = out[-1] if out else carried
        if prior and (rung or (label and (len(subject_of(before)) < 3 or WORRY_RE.match(label) or unnamed))):
            phrase = prior.phrase  # "(warn at 80%, alert at 100%)": the same signal's next rung
        generic = bool(path) and re.fullmatch(r"rate|ratio|share|latency|lag|queue|backlog|count|level|value|time",
                                              phrase, re.I) is not None
        heading_named = heading_subject(path)[0] if generic else ""
        if heading_named and re.search(rf"\b{re.escape(phrase)}$", heading_named, re.I) and \
                heading_named.lower() != phrase.lower():
            phrase = heading_named  # "If the rate keeps climbing past 5%" under "## Error rate > 2% …": error rate
        if prior and re.fullmatch(r"(?:(?:if|when|and|or)\s+)?(?:up|down|drops?|falls?|rises?|sustained|persistent|"
                                  r"constant(?:ly)?|continuous(?:ly)?|consistently|repeatedly|"
                                  r"(?:older|longer|slower)(?: than)?)",
                                  phrase.strip(), re.I):
            # "… signups are down more than 25% DoD. Down more than 40% WoW pages", "CPU: keep under 70%; sustained
            # 85%+ for 30m opens a ticket", "The oldest refund older than 6 hours is a ticket; older than 24 hours
            # pages": the same signal's
            phrase = prior.phrase
        if re.match(r"(?:it|it's|its|this|that|they|these|those|anything|everything)\b", phrase, re.I) or not phrase:
            phrase = antecedent(text[:q.start], phrase, [prior] if prior else [])  # "… if it's slower than 1 s"
            if re.fullmatch(r"anything|everything", phrase, re.I):
                # "Anything below 98% checkout success is critical"; "Checkout conversion: normally 3.4%. Anything
                # under 2.5% … — page": the line's label
                # ("Anything above 3% of checkout requests" under "Q: What error rate pages …?": the error rate)
                of = subject and re.match(r"\s+of\b", text[q.end:])
                phrase = (subject if of else named_after(text[q.end:])) or subject or phrase
        if out and q.op and re.search(r"[;,]", before) and len(subject_of(re.split(r"[;,]", before)[-1])) < 3:
            # nothing names it before the number: the words after it do (">99% uptime, <3s response time"), or
            # it is the same signal's next clause ("over 14.4x for 1 hour pages; over 6x for 6 hours …")
            after = subject_of(re.split(r"[(,;.]|\b(?:for|within|per|in|by|during|is|are)\b", text[q.end:])[0])
            who = re.match(rf"(?:\s*/\s?[a-z]+|\s+(?:per|a|an)\s+[a-z]+)?\s*(?:(?:we|you|they|it|i|someone|somebody|"
                           rf"whoever|then|means|indicates|suggests|"
                           rf"signals|is|are|would be)\b|{VERDICT_VERB}|→|->|=>|:)", text[q.end:], re.I)
            phrase = after if len(after) >= 3 and not who else out[-1].phrase
        if (not phrase or re.match(r"\s*(?:(?:our|the|my|this|we)\s+)?(?:goal|target|aim|objective|expect)\w*\b[^:]*$",
                                   text[:q.start], re.I)) and q.kind in ("count", "ratio"):
            named = named_after(text[q.end:])
            phrase = named or phrase  # "Our goal … is at least 500 bookings per day", "5% of booking requests fail"
        phrase = phrase or subject or (path[-1] if path else "signal")
        if prior and re.fullmatch(r"at|of|to|by|in|on", phrase, re.I):
            phrase = prior.phrase  # "Failed logins over 200 in 5 minutes is a warning. At 1,000 we page."
        if len(phrase) < 3 and (subject or path):
            # ("at 95% it becomes critical" under "## Storage used ≥ 85%": what the heading compares)
            compares = not subject and any(h.op for h in find_quantities(path[-1]))
            phrase = f"{heading_subject(path)[0] if compares else subject or path[-1]} {phrase}"
        if prior and re.fullmatch(_PERCENTILE, phrase, re.I) and re.match(rf"{_PERCENTILE}\s+\S", prior.phrase, re.I):
            phrase = re.sub(_PERCENTILE, phrase, prior.phrase, count=1, flags=re.I)  # "p95 search latency …; p99 …"
        elif prior and re.fullmatch(_PERCENTILE, phrase, re.I) and prior.kind == "duration" and \
                not re.search(_PERCENTILE, prior.phrase, re.I):
            phrase = f"{prior.phrase} {phrase}"  # "the wallet API answers in under 300 ms. If p95 creeps past 800 ms"
        elif re.fullmatch(_PERCENTILE, phrase, re.I) and subject and subject_of(subject):
            phrase = f"{subject_of(subject)} {phrase}"  # "Transcode time" over ": p95 under 90 seconds is normal"
        elif re.fullmatch(_PERCENTILE, phrase, re.I) and path and len(subject_of(path[-1]).split()) <= 3 and \
                not (tier_in(path[-1]) or is_alert_context(path[-1]) or is_target_context(path[-1])) and \
                not re.search(r"\b(?:notes?|signals?|metrics?|monitoring|overview|details|summary|health|general|"
                              r"other|misc\w*|requirements?|checks?)\b", path[-1], re.I):
            phrase = f"{subject_of(path[-1])} {phrase}"  # "p95 target 400ms" under "3.2 Latency": latency p95
        elif re.fullmatch(_PERCENTILE, phrase, re.I) and q.kind == "duration":
            phrase = f"{phrase} latency"  # "… with p99 < 300 ms": a percentile of durations, of the latency
        if defined and n == 0 and q.start >= defined.end():
            phrase = subject_of(defined.group("what")) or phrase  # (of the activation, not of its "signup")
        outcome = _OUTCOME_AFTER_RE.match(text[q.end:]) if q.kind == "ratio" else None
        if outcome and outcome.group(1).lower() not in phrase.lower():
            phrase = f"{phrase} {outcome.group(1)}"  # "KYC approvals: fewer than 5% rejected": the share rejected
        judged = re.match(r"\s*(?:or|and)\s+(?P<w>better|worse)\b", text[q.end:], re.I) if q.op is None else None
        if judged and judged.group("w").lower() == "better" and label is None:
            label = "target"  # "Delivered on time: 98% or better": the bound to keep, its way the signal's good one
        elif judged and judged.group("w").lower() == "worse":  # "Conversion 2% or worse → page": at it, the bad way
            low_bad = _good_when_high(phrase) or (q.kind == "ratio" and q.value >= 0.5 and
                                                  not _BAD_HIGH_RE.search(phrase))
            q = Quantity("<=" if low_bad else ">=", q.value, q.kind, q.start, q.end, q.raw)
        baseline = _BASELINE_RE.search(text[:q.start]) if q.op is None else None
        if baseline:  # "Conversion ≥ baseline (3.1%)": the comparison is with the number in brackets
            q = Quantity(_BASELINE_OPS[baseline.group(1).lower()], q.value, q.kind, q.start, q.end, q.raw)
            phrase = subject_of(text[:baseline.start()]) or phrase
        if q.op is None and label is None and n == 0 and path and is_target_context(path[-1]) and \
                q.high is None and _NAMED_VALUE_RE.match(text[:q.start]) and subject_of(text[:q.start]) and \
                not _QUALIFIER_RE.fullmatch(text[:q.start].strip(" -–—:*•")) and not _verdict(text):
            label = "target"  # under "## Targets": "- Availability: 99.95%", "2. Latency — 300 ms", "Conversion 3%"
        if q.op is None and label is None and n == 0 and q.kind == "ratio" and 0.9 <= q.value < 1 and \
                _NAMED_VALUE_RE.match(text[:q.start]) and AVAILABILITY_RE.search(text[:q.start]) and \
                not (path and (tier_in(path[-1]) or is_alert_context(path[-1]))) and not _verdict(text):
            label = "target"  # "API availability 99.9% over 30 days" under "## Infra": an objective, whichever heading
        if q.op is None and label is None and path and is_target_context(path[-1]) and (
                (q.high is not None and q.kind == "count") or
                (q.kind == "ratio" and not _after_window(text[:q.start], measured).strip() and
                 re.match(r"\s+of\b", text[q.end:]))):
            label = "target"  # "Select 10-20 customers", "50% of users configure a number within 7 days"
            if q.high is None:
                q = Quantity(">=", q.value, q.kind, q.start, q.end, q.raw)
                who = re.split(r"\b(?:within|in|by|for|during|after|over)\b|[(,;]",
                               re.sub(r"^\s+of\s+", "", text[q.end:]))[0]
                phrase = subject_of(who) or phrase  # the share of whom: "INICIAL users configure number"
        counted = _COUNT_PER_PERIOD_RE.match(text[q.end:]) if q.op is None and label is None and n == 0 and \
            q.kind == "count" and q.high is None and path and is_target_context(path[-1]) and \
            not text[:q.start].strip(" -–*•:") else None
        if counted:  # "20k payouts per day" under success criteria: a rate to reach (at most, what is bad when high)
            label = "target"
            q = Quantity("<=" if _BAD_HIGH_RE.search(counted.group(0)) else ">=", q.value, q.kind, q.start, q.end,
                         q.raw)
        # "Row count within ±5% of the same day last week (P2 outside ±10%)", "within 5% of last week": a change
        # either way (the first the band to keep, the second its tier's miss)
        around = q.kind == "ratio" and q.high is None and _BASELINE_NAMED_RE.search(text) is not None
        within_of = around and re.match(r"within\b", q.raw, re.I) is not None and re.match(r"\s+of\b", text[q.end:])
        band = _BAND_RE.search(text[prev_q_end:q.start]) if around and q.op is None else None
        if band or within_of:
            inside = bool(within_of) or bool(band and band.group("within"))
            phrase = out[-1].phrase if out and out[-1].drop else phrase  # ("(P2 outside ±10%)": the same change's)
            tier = tier_in(text[prev_q_end:q.start]) or (TARGET if inside else _tier_from(path, label, text, prose))
            out += [Finding(line.number_at(_digit_at(q)), phrase, ">", q.value, "ratio", tier, path, text, drop=True),
                    Finding(line.number_at(_digit_at(q)), phrase, "<", -q.value, "ratio", tier, path, text, drop=True)]
            segments_used.add(segment)
            continue
        slow = _slow_share(text, q, phrase)
        if slow is not None:  # "< 1% of requests take longer than 2 s": the share done late, its bound its name's
            phrase = slow[0]
            slow_bounds.add(slow[1])
        fast = _fast_share(text, q)
        if fast is not None:  # "99% of requests complete within 400 ms": the share done in time, kept (below)
            phrase = fast
        if (fast is not None or _done_in_time_by(text, q)) and q.op is None and label is None:
            q = Quantity(">=", q.value, q.kind, q.start, q.end, q.raw)  # ("99% of emails delivered within 60 s")
        if q.op is None and label is None and q.kind == "ratio" and 0.5 <= q.value < 1 and re.match(
                r"\s+(?:of\s+[\w -]{1,40}?\s+)?(?:succeed|are (?:delivered|answered|processed)|complete|pass)\b",
                text[q.end:], re.I):
            label = "target"  # "Webhook deliveries: 99.5% succeed on first attempt; page if under 97%": a share to keep
        # "Memory at 90% of requests: page": a number reached, with the tier said after it
        # ("3 out of 5 probes fail: page", "If 1% of requests fail for 10 minutes, warn; 5% for 5 minutes pages")
        reached = bool((re.search(r"\b(?:at|reach(?:es)?|hits?|hitting)\s*$", text[:q.start], re.I) or
                        re.search(r"\bout of\b", q.raw, re.I) or
                        (q.kind == "ratio" and re.search(r"(?:^\W*(?:if|when|whenever|once)|;)\s*$", text[:q.start],
                                                         re.I))) and _verdict(text))
        if q.op is None and re.search(r"within\s*$", text[:q.start], re.I) is None and label is None and \
                not q.plus and not (q.kind == "ratio" and re.search(r"within", text[q.end:q.end + 10], re.I)) \
                and not (_DROP_RE.search(text[q.end:q.end + 25]) and _ALERTWORD_RE.search(text)) \
                and not (q.kind == "ratio" and _CHANGE_BY_RE.search(text[:q.start])) \
                and not re.search(r"\b(?:up|down)\s*$", text[max(0, q.start - 6):q.start], re.I) \
                and not ((re.match(r"\s*[x×]\b", text[q.end:]) or re.search(r"doubl|tripl|twice", q.raw, re.I)) and
                         _VERSUS_RE.match(text[q.end:])) and not reached:
            continue
        if q.op is None and label is None and reached:
            q = Quantity(">=", q.value, q.kind, q.start, q.end, q.raw, q.high, q.plus)  # "Memory at 90%: page"
        if q.op is None and q.kind == "ratio" and re.search(r"within", text[q.end:q.end + 10], re.I):
            q = Quantity(">=", q.value, q.kind, q.start, q.end, q.raw)
            label = "target"
        failing = _FAILING_FOR_RE.search(text[:q.start])
        if q.kind == "duration" and q.op in (">", ">=") and (_DOWNTIME_RE.search(text[:q.start]) or failing) and \
                not _RESPONSE_RE.search(text[:q.start]):
            # "Server downtime > 1 minute", "refunds fail for 15 minutes": the check failing (== 0) that long
            named = _FAILING_FOR_RE.sub(" ", phrase) if failing else phrase
            named = re.sub(r"\s+for\s*$", "", _DOWNTIME_RE.sub(" ", named).rstrip())  # ("webhook is down for")
            subject_up = subject_of(named) or phrase
            out.append(Finding(line.number_at(_digit_at(q)), subject_up, "==", 0.0, "up",
                               _tier_from(path, label, text, prose),
                               path, text, for_=q.value))
            segments_used.add(segment)
            continue
        f = _make(line, path, phrase, q, label, text, text, prose)
        if f is None:
            continue
        if qualifier is not None and n and qs[n - 1].end == qualifier[1]:
            said = text[qualifier[0]:qualifier[2]].strip()
            f.note = "; ".join(x for x in (f.note, f"counted only {said}, as the document says: point the metric "
                                                   "at a measure of those alone (no threshold of its own)") if x)
        if heading_window and f.window is None:
            f.window = heading_window
        if measured and f.window is None:
            f.window = measured
            if measured_at is not None:  # "Signups (1h) < 20": those counted in the hour
                f.counter = f.counter or (f.kind == "count" and not _LEVEL_RE.search(f.phrase))
        measured = None
        adverb = _ADVERB_PERIOD_RE.match(text[q.end:])
        if adverb and f.window is None:  # "delivery success ≥ 99.2 % (weekly)": what it is measured over
            f.window = float(_PERIOD_SECONDS[_ADVERB_PERIODS[adverb.group(1).lower()]])
            f.counter = f.counter or f.kind == "count"
        per = _MEASURED_PER_RE.search(text, q.end) if f.window is None else None
        if per and not find_quantities(text[q.end:per.start()]):  # (the last number before it)
            unit = per.group("unit") or _ADVERB_PERIODS[per.group("adverb").lower()]
            f.window = float(_PERIOD_SECONDS[unit.lower()])
            f.counter = f.counter or f.kind == "count"
        f.phase = f.phase or _phase_said(text, q)
        if q.high is not None and q.op is None:
            # a range: below its low end or above its high end
            high = Finding(f.line, f.phrase, ">", q.high, q.kind, f.tier, path, text, phase=f.phase)
            f.op = "<"
            out.extend([f, high])
            segments_used.add(segment)
            continue
        out.append(f)
        segments_used.add(segment)
        spans[id(f)] = (q.start, q.end)
    out = _joined_by_and(text, out, spans)
    chain = [carried, *out] if carried else out
    for before_f, f in itertools.pairwise(chain):
        if f.phrase == before_f.phrase and f.kind == before_f.kind and f.window is None and not f.drop and \
                before_f.window is not None and not before_f.drop:
            # "Failed logins: warn above 200 in 5 minutes, page above 1,000": the next rung counts in the same 5
            # minutes (not the counter's running total, which passes 1,000 on a healthy day)
            f.window, f.counter = before_f.window, before_f.counter
    return out
