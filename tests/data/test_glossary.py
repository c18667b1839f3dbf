"""The one glossary (data/glossary.yaml): docs/glossary.md is generated from it, every term has
a label and a definition, every bundled party has a name and a colour, and the reading of a
result in words follows the numbers (a regression test that can fail)."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.model.glossary import markdown, party_colour, party_name, terms
from detente.report.words import stability_sentence

ROOT = Path(__file__).resolve().parents[2]


def test_docs_glossary_is_generated_from_the_data_file():
    text = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    assert text == markdown(), "regenerate: python -m detente.model.glossary > docs/glossary.md"


def test_every_term_reads_in_words():
    for key, term in terms().items():
        assert term["label"] and len(term["definition"]) > 20, key
        assert term.get("better") in (None, "higher", "lower"), key
    for key in ("fsi", "c1", "c2", "r", "x_star", "w80", "de", "kmax"):
        assert key in terms()


@pytest.mark.parametrize("code", ["US", "RU", "CN", "UK", "FR"])
def test_every_bundled_party_has_a_name_and_a_colour(code):
    assert party_name(code) != code
    assert party_colour(code).startswith("#")
    assert len({party_colour(c) for c in ("US", "RU", "CN", "UK", "FR")}) == 5


def test_the_reading_follows_the_numbers():
    unstable = stability_sentence(0.2, {"US": 0.4, "RU": 0.5}, ["US", "RU"])
    assert unstable.startswith("At 0.20 the index is far below 1")
    assert "more likely than 40 %" in unstable and "more likely than 50 %" in unstable
    stable = stability_sentence(1.0, {"US": 1.2, "RU": 1.05}, ["US", "RU"])
    assert "neither side would lose less by striking first" in stable
    assert "gains nothing by striking first" in stable
    mixed = stability_sentence(0.95, {"US": 0.95, "RU": 1.3}, ["US", "RU"])
    assert "close to 1" in mixed
    assert "The United States would lose less" in mixed and "Russia would lose more" in mixed
