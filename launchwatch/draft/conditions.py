"""How a sentence says a condition rather than a goal, and what state a number is.

"Keep the error rate under 2%" states the level to keep; "crash-free sessions drop below 98.5%" the condition
itself; "Queue depth ≤ 1000 is healthy" the state to keep and "… is unacceptable" the one to alert on; "Roll
back (…) if" stops a rollout; "… is good news, no alert" asks for nothing. Read wrong, a rule fires while the
product is healthy, so each of these is one pattern here, shared by the readers of lines and tables.
"""

from __future__ import annotations

import re

__all__ = ["BAD_STATE_RE", "BLOCKS_RE", "CONDITION_WORD_RE", "CROSSES_RE", "DONE_NOUNS", "FAST_SHARE_RE",
           "GOOD_BEFORE_RE", "GOOD_STATE_RE", "KEEP_RE", "NOT_DONE_RE", "NO_ALERT_RE", "RELATIVE_CELL_RE",
           "ROLLS_BACK_RE", "SLOW_SHARE_RE", "TOLD_RE", "VERDICT_AFTER_RE"]

# the words that make a comparison the condition to act on: "alert if …", "page when …", "warn above …"
CONDITION_WORD_RE = re.compile(r"\b(?:if|when|whenever|once|alerts?|pages?|paged|warns?|notify)\b", re.I)
# "crash-free sessions drop below 98.5%", "p95 goes above 2 s": crossing a level is a condition, not a goal
# ("should never drop below 2%" is one)
CROSSES_RE = re.compile(r"(?<!not )(?<!never )(?<!n't )\b(?:drops?|dips?|falls?|sinks?|slips?|goes|gets|rises?|"
                        r"climbs?|creeps?|edges?|moves?|spikes?|jumps?)\s+(?:below|under|beneath|above|over|past|"
                        r"beyond)\b", re.I)
# "the points balance job hasn't completed in 3 hours": no completion for that long
DONE_NOUNS = {"completed": "completion", "finished": "finish", "run": "run", "ran": "run", "succeeded": "success",
              "updated": "update", "refreshed": "refresh", "synced": "sync", "reported": "report",
              "arrived": "arrival", "landed": "arrival"}
# ("- Cron job hasn't run in 2 hours" under an alerts heading: the line's own subject)
NOT_DONE_RE = re.compile(r"(?:\b(?:if|when|once)\s+|^[\s*•-]*)(?:the\s+|our\s+)?(?P<what>[a-z][\w -]{2,50}?)\s+"
                         r"(?:has|have|had)(?:n[’']t|\s+not)\s+(?:been\s+)?(?P<verb>" + "|".join(DONE_NOUNS) + r")\s+"
                         r"(?:in|for|within)\s+(?:the\s+(?:last|past)\s+)?", re.I)
# after a share, what is done in time: "99% of requests complete within 400 ms", "95% of page loads finish in under
# 2 s". The share is the level to keep (missed below it) wherever it is written, and the duration its condition,
# not a latency threshold: under an alerts heading, alerting at "≤ 400 ms" would fire while the product is fast
FAST_SHARE_RE = re.compile(r"\s+of\s+(?:all\s+|the\s+|our\s+)?(?!(?:[\w-]+\s+){0,2}budget\b)"
                           r"(?P<who>[a-z`][\w`/.-]*(?:\s+[a-z`][\w`/.-]*){0,5}?)\s+(?:(?:are|is|get|gets)\s+)?"
                           r"(?:(?:complete|finish|load|respond|return|render|succeed|run|execute|arrive|resolve)"
                           r"(?:s|es)?\s+|[a-z]+ed\s+)?(?P<bound>within|under|below|in under|in less than|faster than|"
                           r"in\s*(?:≤|<=|<)|in)\s*(?=\d)", re.I)
# after a share, what is done late: "< 1% of requests take longer than 2 s", "< 0.5% arrive more than 2 hours
# late", "fewer than 2% of orders ship later than 48 hours". The duration is the share's condition: a rule on it
# alone would fire while the product is fast (at "<= 2 s" under a target)
SLOW_SHARE_RE = re.compile(r"\s+(?:of\s+(?:all\s+|the\s+|our\s+)?(?P<who>[a-z`][\w`/.-]*(?:\s+[a-z`][\w`/.-]*){0,4}?)"
                           r"\s+)?(?:(?:are|is|get|gets)\s+)?"
                           r"(?!(?:for|in|within|during|over|per|by|at|of|and|or)\b)[a-z]+\s+"  # (a verb: not "for")
                           r"(?P<bound>(?:more|longer|later|slower) than|>)\s*(?=\d)",
                           re.I)  # (not "succeed over 28 days": a window)
# a cell that compares with the baseline or the control group: "no worse than -3%", "+2% vs control"
RELATIVE_CELL_RE = re.compile(r"\bno worse than\b|\bvs\.? (?:baseline|control)\b|\brelative to\b|\bagainst (?:the )?"
                              r"(?:baseline|control)\b", re.I)
# what the words after a number say of it, not what it counts: "Below 25% means the prompt is broken"
VERDICT_AFTER_RE = re.compile(r"\s*(?:means|indicates|suggests|is|are|counts as|would be)\b", re.I)
# the level to keep, said as a goal ("Keep the error rate under 2%", "p95 needs to be under 800 ms"): under an
# alerts heading it is crossed, as a target is missed
KEEP_RE = re.compile(r"\b(?:keep|ensure|make sure|needs? to (?:be|stay|remain)|ha(?:s|ve) to (?:be|stay|remain)|"
                     r"must (?:be|stay|remain)|should (?:be|stay|remain)|stays?|remains?|be kept|(?:can |could )?"
                     r"(?:tolerate|accept|allow)|we (?:want|need|aim for|expect|would like))\b[^.;,]*$|"
                     r"\b(?:should|must|needs? to|ha(?:s|ve) to|ought to)\s*$", re.I)  # ("Sign-ups should exceed 100")
_GOOD = r"(?:healthy|fine|normal|ok(?:ay)?|good|acceptable)"  # the words for a state to keep
# after the number, the state it is: healthy ("Queue depth ≤ 1000 is healthy"), or not ("… is unacceptable")
GOOD_STATE_RE = re.compile(rf"\s*(?:is|are|means|counts as)\s+(?:{_GOOD}|expected|on target)\b", re.I)
# "Latency is fine below 300 ms": the state named before its bound
GOOD_BEFORE_RE = re.compile(rf"\b(?:is|are)\s+{_GOOD}\s*$", re.I)
# "Crash rate above 0.5% blocks the rollout": the condition that stops a rollout, said after it
BLOCKS_RE = re.compile(r"\s*(?:blocks|halts|stops|pauses|aborts)\s+the\s+(?:staged\s+)?(?:rollout|release|launch|"
                       r"deploy\w*)\b", re.I)
BAD_STATE_RE = re.compile(r"\s*(?:is|are|means|counts as)\s+(?:an?\s+)?(?:unacceptable|bad|a problem|an? outage|"
                          r"trouble|broken|an? incident|degraded|too (?:high|low|slow))\b", re.I)
# a condition the document says needs nothing ("… is good news, no alert")
NO_ALERT_RE = re.compile(r"\bno (?:alert|page|action)\b|\bnot an? (?:alert|page|problem)\b|\bgood news\b|"
                         r"\bdo(?:n'?t| not) (?:alert|page)\b|\bnothing to do\b", re.I)
# someone is told: "worth a look in #storefront", "a Slack message to #reorder-launch", "open a ticket", "ping …"
TOLD_RE = re.compile(r"(?<![\w&])#[a-z][\w-]*|\b(?:slack|teams|chat|e-?mail|sms)\s+(?:message|ping|post|"
                     r"notification)s?\b|\bworth a (?:look|ping|ticket)\b|\b(?:open|file|raise)s? a ticket\b|"
                     r"\b(?:notify|ping|tell)\b|\bheads?[- ]up\b", re.I)  # ("> 250k: heads-up only, no page")
# "Roll back (halt the staged rollout) if …", "revert the release when …": the condition that stops a rollout
ROLLS_BACK_RE = re.compile(r"\b(?:roll(?:s|ing)?[ -]?back|revert(?:s|ing)? the (?:release|deploy\w*|rollout)|"
                           r"(?:abort|halt|pause|stop)(?:s|ing)? the (?:staged )?(?:rollout|release|deploy\w*|sends?|"
                           r"campaign|waves?|experiment))\b"
                           r".{0,80}?\b(?:if|when|whenever|once)\b", re.I)
