"""Draft a plan from a launch-monitoring document (``launchwatch draft``).

One module per concern: ``text`` reads and repairs the document, ``outline`` finds its headings,
``quantities`` reads "comparator number unit", ``shapes`` finds the thresholds (``findings`` holds what
it finds, ``failures`` the rules stated without a number), ``tiers``, ``phases`` and ``names`` name
what they belong to, and ``plan`` assembles the YAML.
"""

from launchwatch.draft.plan import NoThresholds, draft_plan

__all__ = ["NoThresholds", "draft_plan"]
