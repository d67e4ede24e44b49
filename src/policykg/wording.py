"""Numbers, quantities and dates as people write them ("300 billion yuan", "at least 10 %", "5–10").

Pages, charts, the CLI's tables and the target reports all word figures
through these functions, so a number reads the same everywhere. They only
change how a value is shown: exports (CSV, JSON, the SPARQL endpoint) keep
the exact literal.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal, InvalidOperation

UNIT = "https://w3id.org/policykg/vocab/unit/"
CMP = "https://w3id.org/policykg/vocab/comparator/"

#: English words for the shipped units: (singular, plural); "%" units attach to the number.
_UNIT_WORDS = {
    "yuan": ("yuan", "yuan"),
    "percent": ("%", "%"),
    "percentage-point": ("percentage point", "percentage points"),
    "enterprise": ("enterprise", "enterprises"),
    "model": ("model", "models"),
    "policy": ("policy", "policies"),
    "administrative-unit": ("administrative unit", "administrative units"),
    "patent-application": ("patent application", "patent applications"),
    "applications-per-10k-people": ("patent application per 10,000 people", "patent applications per 10,000 people"),
    "index-point": ("index point", "index points"),
    "university": ("university", "universities"),
    "person": ("person", "people"),
    "institution": ("institution", "institutions"),
    "rank-position": ("rank", "rank"),
}

_COMPARATOR_WORDS = {
    "exactly": "", "at-least": "at least", "more-than": "more than", "at-most": "at most",
    "less-than": "less than", "about": "about", "range": "",
}

#: Short scales: above these, a whole number is written in words ("300 billion").
_SCALES = [(Decimal(10) ** 12, "trillion"), (Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")]
#: Chinese and Japanese group by 10^4 and 10^8.
_CJK_SCALES = {"zh": [(Decimal(10) ** 12, "万亿"), (Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万")],
               "ja": [(Decimal(10) ** 12, "兆"), (Decimal(10) ** 8, "億"), (Decimal(10) ** 4, "万")]}


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        return None


def _plain(d: Decimal, group: bool = True) -> str:
    """``d`` with the digits it was written with (``5610.60`` stays ``5,610.60``), grouped by thousands."""
    text = format(d, "f")
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    if group and len(whole) > 3:
        whole = f"{int(whole):,}"
    return sign + whole + ("." + frac if frac else "")


def format_number(value, lang: str = "en") -> str:
    """A number as a reader writes it: ``300000000000`` -> "300 billion" (en), "3000亿" (zh), "3000億" (ja).

    Whole numbers of a million or more that divide evenly into a scale word
    use it; everything else keeps its digits and decimals, grouped by
    thousands. Anything that is not a number is returned as it was.
    """
    d = _decimal(value)
    if d is None:
        return "" if value is None else str(value)
    scales = _CJK_SCALES.get(lang, _SCALES)
    if d == d.to_integral_value():
        for size, word in scales:
            if abs(d) >= size:
                q = d / size
                if q == q.to_integral_value() or len(str(q.normalize())) <= 5:
                    sep = " " if lang not in _CJK_SCALES else ""
                    return _plain(q.normalize(), group=lang not in _CJK_SCALES) + sep + word
                break
    return _plain(d)


def _local(iri: str | None, base: str) -> str:
    if not iri:
        return ""
    return iri[len(base):] if iri.startswith(base) else iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def unit_words(unit: str | None, value=None, unit_label: str | None = None) -> str:
    """The unit's English word for ``value`` (singular for 1); an unknown unit falls back to ``unit_label``."""
    local = _local(unit, UNIT)
    if local in _UNIT_WORDS:
        one, many = _UNIT_WORDS[local]
        d = _decimal(value)
        return one if d is not None and d == 1 else many
    return unit_label or local


def format_quantity(value=None, unit: str | None = None, comparator: str | None = None, *, low=None, high=None,
                    unit_label: str | None = None, lang: str = "en") -> str:
    """A target or figure in words: "at least 10 %", "300 billion yuan", "5–10 enterprises".

    ``unit`` and ``comparator`` are IRIs of the shipped vocabularies (or None);
    ``low`` and ``high`` give a range (``cmp:range``). ``unit_label`` words a
    unit this module does not know.
    """
    cmp = _local(comparator, CMP)
    if low is not None or high is not None:
        lo, hi = format_number(low, lang), format_number(high, lang)
        number = f"{lo}–{hi}" if lo and hi else (f"at least {lo}" if lo else f"at most {hi}")
        amount = high if high is not None else low
    else:
        number = format_number(value, lang)
        amount = value
    words = unit_words(unit, amount, unit_label) if (unit or unit_label) else ""
    if words == "%":
        text = f"{number} %"
    elif words == "rank":
        text = f"rank {number}"
    else:
        text = f"{number} {words}".strip()
    prefix = _COMPARATOR_WORDS.get(cmp, cmp.replace("-", " "))
    return f"{prefix} {text}".strip() if prefix else text


def format_span(start: str, end: str) -> str:
    """Two worded dates as a span: "2023–2025", "from 2023", "until 2025", one date when both are the same."""
    if start and end:
        return start if start == end else f"{start}–{end}"
    if start:
        return f"from {start}"
    return f"until {end}" if end else ""


_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]


def format_date(value: str | None, lang: str = "en") -> str:
    """An xsd:date, gYearMonth or gYear as people write it: "30 May 2023", "May 2023", "2023"."""
    if not value:
        return ""
    text = str(value)
    try:
        if len(text) >= 10 and text[4] == "-" and text[7] == "-":
            d = _dt.date.fromisoformat(text[:10])
            if lang in ("ja", "zh"):
                return f"{d.year}年{d.month}月{d.day}日"
            return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"
        if len(text) == 7 and text[4] == "-":
            year, month = int(text[:4]), int(text[5:])
            return f"{year}年{month}月" if lang in ("ja", "zh") else f"{_MONTHS[month - 1]} {year}"
    except (ValueError, IndexError):
        pass
    return text
