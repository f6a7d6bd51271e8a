"""Spanish and Portuguese launch documents, read in the drafter's English words, line for line.

A Latin American team writes "Tasa de error superior al 5% durante 10 minutos" under "Alertas críticas":
the comparators, holds and windows ("superior al", "durante", "en 30 minutos", "por día"), tier and section
words ("críticas", "advertencia", "objetivos", "de guardia") and "1.000" (a thousand, as Spanish writes it)
are put in the English the drafter reads; the signal's own words stay as written, so metric names are the
team's ("tasa_de_error_ratio"). Only a document whose words are mostly Spanish or Portuguese is read so: an
English page's "hasta" or "menos" is left alone. The quotes in ``section:`` show the words as read.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["glossary_as_english"]

# function words that tell the language: Spanish / Portuguese against English
_ROMANCE_RE = re.compile(r"\b(?:de|del|al|la|las|el|los|que|para|con|una|por|en|em|do|da|dos|das|não|é|está|são|"
                         r"cuando|quando|si|se|más|mais|y)\b", re.I)
_ENGLISH_RE = re.compile(r"\b(?:the|and|of|to|is|are|for|with|when|if|than|on|at|be|we)\b", re.I)

_PERIODS = {"día": "day", "dia": "day", "hora": "hour", "minuto": "minute", "semana": "week", "mes": "month",
            "mês": "month"}


def _per_period(m: re.Match[str]) -> str:
    """ "por día" → "per day"."""
    return "per " + _PERIODS[m.group(0).split()[-1].lower()]


# (pattern, English), tried in this order; each pattern a whole-word phrase, any case
_PHRASES: list[tuple[str, str | Callable[[re.Match[str]], str]]] = [
    # comparators (a hold's first: "por más de 10 minutos")
    (r"durante (?:más|mas|mais) de|por (?:más|mas|mais) de", "for more than"),
    (r"no (?:más|mas) (?:de|que)|não (?:mais|passa) (?:de|que|do|da)", "no more than"),
    (r"(?:al|por lo|pelo|ao) menos|como m[ií]nimo|no m[ií]nimo", "at least"),
    (r"como m[áa]ximo|no m[áa]ximo|hasta|até", "at most"),
    (r"(?:cae|caen|cai|caem|baja|bajan) (?:por debajo (?:de|del)|abaixo (?:de|do|da)|(?:a )?menos de)", "drops below"),
    (r"superior(?:es)? (?:a|al|à|ao|a la|a los)|mayor(?:es)? (?:a|al|que|de|del)|maior(?:es)? (?:que|de|do|da)|"
     r"por encima (?:de|del)|acima (?:de|do|da)", "above"),
    (r"inferior(?:es)? (?:a|al|à|ao|a la|a los)|menor(?:es)? (?:a|al|que|de|del|do|da)|por debajo (?:de|del)|"
     r"abaixo (?:de|do|da)", "below"),
    (r"supera(?:n)?|excede(?:n)?|ultrapassa(?:m)?", "exceeds"),
    (r"(?:más|mas|mais) de(?:l)?", "more than"),
    (r"menos de(?:l)?", "less than"),
    # holds, windows, periods
    (r"durante", "for"),
    (r"(?:en|em) (?:los|las|os|as) (?:últimos|últimas|ultimos|ultimas)", "in the last"),
    (r"(?:en|em|durante) (?:la|a) (?:última|ultima) hora", "in the last hour"),
    (r"(?:en|em|durante) (?:el|o) (?:último|ultimo) d[ií]a", "in the last day"),
    (r"(?:en|em|durante) (?:la|a) (?:última|ultima) semana", "in the last week"),
    (r"(?:en|em)(?=\s+\d)", "in"),
    (r"(?:por|al|ao|a la) (?:d[ií]a|hora|minuto|semana|mes|mês)", _per_period),
    (r"m[ií]nim[ao]s? (?:del|de|da|do)", "at least"),
    (r"m[áa]xim[ao]s? (?:del|de|da|do)", "at most"),
    (r"cero|ningún|ninguna|nenhum|nenhuma", "zero"),
    # tiers, sections, who is told
    (r"alertas? cr[ií]tic[ao]s?", "critical alerts"),
    (r"cr[ií]tic[ao]s?", "critical"),
    (r"alertas? de (?:advertencia|aviso)|advertencias?|avisos?", "warning"),
    (r"alertas?|alarmas?", "alerts"),
    (r"umbral(?:es)?|limiares?", "thresholds"),
    (r"criterios de éxito|critérios de sucesso", "success criteria"),
    (r"objetivos?|metas?", "targets"),
    (r"(?:el |la |o |a )?(?:equipo |equipe )?de (?:guardia|plantão)", "the on-call"),
    (r"(?:alta|high) prioridad|prioridad alta", "high priority"),
    (r"prioridad media", "medium priority"),
    (r"prioridad baja|baja prioridad", "low priority"),
    (r"primeras? 24 horas|primeiras? 24 horas", "first 24 hours"),
    (r"primera semana|primeira semana", "first week"),
    (r"primer mes|primeiro mês", "first month"),
    (r"semana (\d)", "week \\1"),
    (r"se (?:avisa|notifica)|avisar|notificar", "notify"),
    (r"se (?:llama|pagina)|llamar|paginar", "page"),
]
_PHRASE_RE = [(re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.I), english) for pattern, english in _PHRASES]
# "1.000", "12.500": a thousand and more ("99.999%" stays five nines)
_THOUSANDS_RE = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![\d.,]*\d)(?!\s?%)")


def _is_romance(raws: list[str]) -> bool:
    text = "\n".join(raws)
    romance, english = len(_ROMANCE_RE.findall(text)), len(_ENGLISH_RE.findall(text))
    return romance >= 4 and romance > 2 * english


def glossary_as_english(raws: list[str]) -> list[str]:
    """The document's lines in the drafter's English words when it is Spanish or Portuguese, else as they are;
    as many lines as it has."""
    if not _is_romance(raws):
        return raws
    out = []
    for raw in raws:
        raw = _THOUSANDS_RE.sub(lambda m: m.group(0).replace(".", ""), raw)
        for pattern, english in _PHRASE_RE:
            raw = pattern.sub(english, raw)
        out.append(raw)
    return out
