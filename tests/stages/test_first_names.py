"""The wide first-name prior: faker's person-provider lists, read as data."""

from __future__ import annotations

import ast
import re

import pytest

from fabula.api import analyze
from fabula.stages.characters import first_names
from fabula.stages.characters.first_names import (
    _names_in,
    _place_strings,
    first_name_gender,
    latin_forms,
    place_names,
    wide_first_names,
)
from fabula.stages.characters.persons import FEATURES, form_features

PROVIDER = """
from collections import OrderedDict
class Provider:
    first_names_female = OrderedDict((("Wren", 0.4), ("Ottoline", 0.1)))
    first_names_male = ("Brannoc", "Tamsin")
    last_names = ("Pennick",)
    first_names = first_names_male + first_names_female
"""

needs_faker = pytest.mark.skipif(not wide_first_names(), reason="faker is not installed")


def test_names_are_read_from_tuples_and_weighted_dicts_only() -> None:
    found = _names_in(ast.parse(PROVIDER))
    assert found == {"f": {"Wren", "Ottoline"}, "m": {"Brannoc", "Tamsin"}}


def test_no_faker_means_an_empty_prior(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(first_names, "_provider_dir", lambda: None)
    first_names.wide_first_names.cache_clear()
    try:
        assert first_names.wide_first_names() == {}
        assert first_name_gender("Emma") == "f"  # fabula's own list still answers
    finally:
        first_names.wide_first_names.cache_clear()


@needs_faker
def test_the_wide_prior_knows_modern_names_but_not_common_words() -> None:
    assert first_name_gender("Marjorie") == "f" and first_name_gender("Jonah") == "m"
    # frequent English words stay with the text's evidence, whatever faker lists
    assert {"long", "hope", "page"}.isdisjoint(wide_first_names())


@needs_faker
def test_more_locales_add_names_and_cyrillic_ones_are_transliterated() -> None:
    assert first_name_gender("Oksana") == "f" and first_name_gender("Danylo") == "m"  # uk_UA, in Latin letters
    assert first_name_gender("Chiamaka") == "f" and first_name_gender("Barbora") == "f"
    # the further locales never change a gender the main ones give
    assert first_name_gender("Joan") == "f"


def test_cyrillic_names_take_the_spellings_english_texts_use() -> None:
    assert latin_forms("Алексей", "ru_RU") == {"Aleksey", "Aleksei", "Alexey", "Alexei"}
    assert latin_forms("Юлия", "ru_RU") == {"Yuliya", "Yulia"}
    assert latin_forms("Данило", "uk_UA") == {"Danylo"} and latin_forms("Ольга", "ru_RU") == {"Olga"}
    assert latin_forms("Zoë", "ru_RU") == set()  # no Cyrillic letters: nothing


ADDRESS = """
class Provider:
    cities = ("Wickhollow", "Port Anselm")
    street_suffixes = ("Row",)
    land_coords: tuple = (("1.0", "2.0", "Brannoc", "GB", "Europe/London"),)
    def f(self):
        return Country(name="Tamsinia", capital="Wickhollow")
"""


def test_places_are_read_from_place_lists_coordinates_and_countries() -> None:
    assert _place_strings(ast.parse(ADDRESS)) == {"wickhollow", "brannoc", "tamsinia"}  # one-word names only


@needs_faker
def test_a_first_name_that_is_a_place_is_left_to_the_text() -> None:
    assert {"america", "ireland", "victoria"} <= place_names()
    assert {"america", "ireland", "victoria"}.isdisjoint(wide_first_names())
    assert first_name_gender("Victoria") == "f"  # fabula's own list still knows the queen's name


@needs_faker
def test_the_person_model_sees_a_wide_name_apart_from_a_known_one() -> None:
    text = 'Marjorie lit the stove. "Tea?" asked Marjorie. Emma shook her head.\n'
    story = analyze(text, input_format="text", upto="segment")
    spans = {
        "Marjorie": [(m.start(), m.end()) for m in re.finditer("Marjorie", text)],
        "Emma": [(text.index("Emma"), text.index("Emma") + 4)],
    }
    rows = dict(zip(spans, form_features(story, spans), strict=True))
    wide, known = FEATURES.index("wide_name"), FEATURES.index("name_prior")
    assert rows["Marjorie"][wide] == 1.0 and rows["Marjorie"][known] == 0.0
    assert rows["Emma"][wide] == 0.0 and rows["Emma"][known] == 1.0


@needs_faker
def test_a_modern_first_name_gives_a_gender_with_no_pronoun() -> None:
    story = analyze('Marjorie lit the stove. "Tea?" asked Marjorie.\n', input_format="text")
    assert [c.gender for c in story.characters if c.name == "Marjorie"] == ["f"]
