"""Spanish, Portuguese and French launch documents, read in the drafter's English words, line for line.

A Latin American team writes "Tasa de error superior al 5% durante 10 minutos" under "Alertas críticas", a
French one "Taux d'erreur supérieur à 2 % pendant 5 minutes" under "Alertes critiques": the comparators, holds
and windows ("superior al", "durante", "pendant", "en 30 minutos", "por día", "par jour"), tier and section
words ("críticas", "advertencia", "objectifs", "astreinte") and "1.000" or "1 200" (thousands, as those
languages write them) are put in the English the drafter reads; the signal's own words stay as written, so
metric names are the team's ("tasa_error_ratio", "taux_erreur_ratio"). Only a document whose words are mostly
Spanish, Portuguese or French is read so: an English page's "hasta" or "menos" is left alone. The quotes in
``section:`` show the words as read.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["glossary_as_english"]

# function words that tell the language: Spanish / Portuguese / French against English
_ROMANCE_RE = re.compile(r"\b(?:de|del|al|la|las|el|los|que|para|con|una|por|en|em|do|da|dos|das|não|é|está|são|"
                         r"cuando|quando|si|se|más|mais|y|"
                         r"le|les|des|du|est|sont|pour|avec|sur|quand|dans|et|une|aux|au)\b", re.I)
_ENGLISH_RE = re.compile(r"\b(?:the|and|of|to|is|are|for|with|when|if|than|on|at|be|we)\b", re.I)

_PERIODS = {"día": "day", "dia": "day", "hora": "hour", "minuto": "minute", "semana": "week", "mes": "month",
            "mês": "month", "jour": "day", "heure": "hour", "semaine": "week", "mois": "month"}


def _per_period(m: re.Match[str]) -> str:
    """ "por día" → "per day"."""
    return "per " + _PERIODS[m.group(0).split()[-1].lower()]


# (pattern, English), tried in this order; each pattern a whole-word phrase, any case
_PHRASES: list[tuple[str, str | Callable[[re.Match[str]], str]]] = [
    # comparators (a hold's first: "por más de 10 minutos", "pendant plus de 10 minutes")
    (r"durante (?:más|mas|mais) de|por (?:más|mas|mais) de|(?:pendant|durant) plus de", "for more than"),
    # French: "au moins 4,5 %", "supérieur à 2 %", "en baisse de plus de 20 % par rapport à la semaine dernière"
    (r"au moins|au minimum", "at least"),
    (r"pas plus de|au plus|au maximum|tout au plus|jusqu'à", "at most"),
    (r"(?:tombe|tombent|descend|descendent|chute|chutent|passe|passent) (?:sous|en[- ]dessous (?:de|du))",
     "drops below"),
    (r"sup[ée]rieure?s? (?:à|a|au)|au[- ]dessus (?:de|du)", "above"),
    (r"inf[ée]rieure?s? (?:à|a|au)|en[- ]dessous (?:de|du)|au[- ]dessous (?:de|du)", "below"),
    (r"sous(?=\s*\d)", "under"),
    (r"d[ée]passe(?:nt)?", "exceeds"),
    (r"(?:en )?(?:baisse|chute|recul) (?:de )?plus de", "drops by more than"),
    (r"(?:en )?(?:hausse|augmentation) (?:de )?plus de", "rises by more than"),
    (r"(?:en )?(?:baisse|chute|recul) de", "drops by"),
    (r"(?:en )?(?:hausse|augmentation) de", "rises by"),
    (r"par rapport (?:à|a) la semaine derni[èe]re|vs\.? la semaine derni[èe]re", "vs last week"),
    (r"par rapport (?:à|a) hier|vs\.? hier", "vs yesterday"),
    (r"plus de(?=\s*\d)", "more than"),
    (r"moins de(?=\s*\d)", "less than"),
    (r"(?:pendant|durant)", "for"),
    (r"(?:sur|dans|au cours des) les (\d+) derni[èe]res (minutes|heures)",
     lambda m: f"in the last {m.group(1)} {'hours' if m.group(2).startswith('h') else 'minutes'}"),
    (r"sur (?:la|une) (?:derni[èe]re )?heure", "over an hour"),
    (r"sur (?:le|un) (?:dernier )?jour", "over a day"),
    (r"sur(?=\s+\d)", "over"),
    (r"premi[èe]res 24 heures", "first 24 hours"),
    (r"premi[èe]re semaine", "first week"),
    (r"premier mois", "first month"),
    (r"(?<=\d )heures?", "hours"),
    (r"(?<=\d )jours?", "days"),
    (r"(?<=\d )semaines?", "weeks"),
    (r"(?<=\d )secondes?", "seconds"),
    (r"par (?:jour|heure|minute|semaine|mois)", _per_period),
    (r"aucune?", "zero"),
    (r"alertes? critiques?", "critical alerts"),
    (r"critiques?", "critical"),
    (r"alertes? d'avertissement|avertissements?", "warning"),
    (r"crit[èe]res de (?:succ[èe]s|r[ée]ussite)", "success criteria"),
    (r"objectifs?|cibles?", "targets"),
    (r"seuils?", "thresholds"),
    (r"(?:l'|d'|l'[ée]quipe d'|la personne d')astreinte", "the on-call"),
    (r"priorit[ée] (?:haute|[ée]lev[ée]e)|haute priorit[ée]", "high priority"),
    (r"priorit[ée] moyenne", "medium priority"),
    (r"priorit[ée] basse|basse priorit[ée]", "low priority"),
    (r"on appelle|appeler|biper", "page"),
    (r"pr[ée]venir|notifier", "notify"),
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
_THOUSANDS_RE = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![\d.,]*\d)(?!\s?%)|"
                           r"(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\w.,]*\d)")  # ("1 200", French)


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
        raw = _THOUSANDS_RE.sub(lambda m: re.sub(r"[. \u00a0\u202f]", "", m.group(0)), raw)
        for pattern, english in _PHRASE_RE:
            raw = pattern.sub(english, raw)
        out.append(raw)
    return out
