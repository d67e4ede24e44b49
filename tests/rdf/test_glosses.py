"""Every evidence phrase can be read by someone who does not read its language."""

from __future__ import annotations

from policykg.namespaces import PREFIXES

PK = PREFIXES["pk"]
OA = PREFIXES["oa"]
RDF_TYPE = PREFIXES["rdf"] + "type"


def _evidence(kg) -> dict[str, tuple[str, list]]:
    """Each evidence node of the shipped files: its phrase and its glosses."""
    rows = kg.store.query(f"""
        SELECT ?e ?exact ?gloss WHERE {{
          ?e <{RDF_TYPE}> <{PK}Evidence> ; <{OA}exact> ?exact .
          OPTIONAL {{ ?e <{PK}gloss> ?gloss }}
        }} ORDER BY ?e ?gloss""")
    out: dict[str, tuple[str, list]] = {}
    for r in rows:
        phrase, glosses = out.setdefault(r["e"].value, (r["exact"].value, []))
        if r["gloss"] is not None:
            glosses.append(r["gloss"])
    return out


def test_every_evidence_phrase_has_exactly_one_english_gloss(kg):
    evidence = _evidence(kg)
    assert len(evidence) > 200
    wrong = {e: [(g.value, g.language) for g in glosses] for e, (_, glosses) in evidence.items()
             if [g.language for g in glosses] != ["en"]}
    assert wrong == {}


def test_no_gloss_repeats_its_phrase(kg):
    same = [e for e, (phrase, glosses) in evidence_items(kg)
            if any(g.value.strip().casefold() == phrase.strip().casefold() for g in glosses)]
    assert same == []


def test_glosses_are_english_words_not_the_source_script(kg):
    # A gloss is for a reader of English: Japanese kana or CJK ideographs in it
    # mean the phrase was copied, not rendered.
    def cjk(text: str) -> bool:
        return any(0x3040 <= ord(c) <= 0x30FF or 0x4E00 <= ord(c) <= 0x9FFF for c in text)

    copied = [e for e, (_, glosses) in evidence_items(kg) if any(cjk(g.value) for g in glosses)]
    assert copied == []


def test_the_gloss_property_is_declared_for_evidence_as_a_kind_of_comment(kg):
    assert kg.store.query(f"""ASK {{ <{PK}gloss> a <{PREFIXES['owl']}DatatypeProperty> ;
        <{PREFIXES['rdfs']}subPropertyOf> <{PREFIXES['rdfs']}comment> ;
        <{PREFIXES['rdfs']}domain> <{PK}Evidence> }}""")


def evidence_items(kg):
    return sorted(_evidence(kg).items())
