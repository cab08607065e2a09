"""A wide first-name prior: the first names of the ``faker`` package's person providers (MIT licence).

fabula's own lists (:data:`fabula.lexicon.MALE_NAMES`, :data:`~fabula.lexicon.FEMALE_NAMES`) hold a few hundred
names of English fiction; a modern or non-English cast ("Edna", "Jonah", "Mina", "Sid") is not in them. faker
lists thousands per locale. Its source files are read as data (parsed, not imported: importing faker takes a
second), once per process, for the locales of :data:`LOCALES` and :data:`NAME_LOCALES`, and of
:data:`CYRILLIC_LOCALES` in Latin letters (:func:`latin_forms`). A name that is also a frequent English word
("Hope", "Long", "Page"), or a title ("Colonel"), is left out: the text's own evidence must decide those. When
faker is not installed the prior is empty and fabula behaves as without it.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from fabula.lexicon import (
    MALE_VOCATIVES,
    PARTICLES,
    PERSON_NOUNS_F,
    PERSON_NOUNS_M,
    STOP,
    TITLES,
    UNISEX_NAMES,
    name_prior,
)
from fabula.stages.characters.nouns import common_words

#: faker person-provider locales read (Latin-script names of the settings and readers of English-language fiction).
LOCALES = (
    "en en_US en_GB en_IE en_IN en_NG en_KE en_NZ de_DE de_CH fr_FR it_IT es_ES es_MX nl_NL sv_SE da_DK no_NO "
    "pl_PL pt_BR pt_PT ga_IE"
).split()
#: Further Latin-script locales read for first names only (their address data is not read as places).
NAME_LOCALES = (
    "cs_CZ sk_SK hr_HR sl_SI ro_RO fi_FI lv_LV tr_TR az_AZ id_ID sw ig_NG ha_NG yo_NG zu_ZA es_AR es_CO fr_BE nl_BE "
    "de_AT"
).split()
#: Cyrillic-script locales whose first names are read in a common English transliteration ("Оксана" is Oksana).
CYRILLIC_LOCALES = ("ru_RU", "uk_UA")

_LISTS = {"first_names_male": "m", "first_names_female": "f"}

#: Words some of faker's lists hold that fabula reads as something else: titles ("Colonel", "Major"), stop words,
#: particles, person nouns, generational suffixes ("Mr. Pocket, Junior").
_NOT_FIRST = (
    TITLES | STOP | PARTICLES | PERSON_NOUNS_M | PERSON_NOUNS_F | MALE_VOCATIVES | {"junior", "senior"}
)


def _provider_dir() -> Path | None:
    spec = importlib.util.find_spec("faker")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "providers" / "person"


def _trees(paths: Iterable[Path], max_size: int | None = None) -> Iterator[ast.Module]:
    """The parsed source of each provider module in ``paths``, in order: a missing, unreadable or unparsable one is
    skipped, and so is one larger than ``max_size`` bytes."""
    for path in paths:
        try:
            if max_size is not None and path.stat().st_size > max_size:
                continue
            yield ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError):
            continue


def _names_in(tree: ast.AST) -> dict[str, set[str]]:
    """The strings assigned to ``first_names_male`` / ``first_names_female`` in one provider module (plain
    tuples, lists and weighted ``OrderedDict`` literals alike)."""
    out: dict[str, set[str]] = {"m": set(), "f": set()}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            g = _LISTS.get(node.targets[0].id)
            if g is not None:
                out[g] |= {
                    c.value
                    for c in ast.walk(node.value)
                    if isinstance(c, ast.Constant) and isinstance(c.value, str)
                }
    return out


def _locale_names(root: Path, locales: Iterable[str]) -> tuple[set[str], set[str]]:
    """The lower-cased male and female first names of ``locales`` (Cyrillic ones transliterated)."""
    male: set[str] = set()
    female: set[str] = set()
    for loc in locales:
        for tree in _trees([root / loc / "__init__.py"]):
            found = _names_in(tree)
            if loc in CYRILLIC_LOCALES:
                found = {g: {v for n in names for v in latin_forms(n, loc)} for g, names in found.items()}
            male |= {n.lower() for n in found["m"] if n.isalpha()}
            female |= {n.lower() for n in found["f"] if n.isalpha()}
    return male, female


@functools.cache
def wide_first_names() -> dict[str, str]:
    """Lower-cased first name -> ``m`` / ``f``, or ``""`` for a name listed for both genders ("Kelly", "Sasha");
    frequent English words, places and the words of :data:`_NOT_FIRST` are left out."""
    root = _provider_dir()
    if root is None:
        return {}
    male, female = _locale_names(root, LOCALES)
    # the further locales add names, and never change the gender the main ones give ("Joan", "Olga")
    known = male | female
    for more in (_locale_names(root, NAME_LOCALES), _locale_names(root, CYRILLIC_LOCALES)):
        male |= more[0] - known
        female |= more[1] - known
    drop = common_words() | _NOT_FIRST | place_names()
    out = {n: "m" for n in male - female - drop}
    out.update({n: "f" for n in female - male - drop})
    out.update({n: "" for n in (male & female) - drop})
    return out


_CYRILLIC = dict(
    zip(
        "абвдежзклмнопрстуфхцчшщьъюяэё",
        "a b v d e zh z k l m n o p r s t u f kh ts ch sh shch - - yu ya e yo".split(),
        strict=True,
    )
)
_CYRILLIC_BY_LOCALE = {
    "ru_RU": {"г": "g", "и": "i", "й": "y", "ы": "y"},
    "uk_UA": {"г": "h", "ґ": "g", "и": "y", "і": "i", "ї": "yi", "є": "ye", "й": "y", "'": "-", "’": "-"},
}
#: The spellings English texts also use beside the plain transliteration: Dmitriy / Dmitri, Sergey / Sergei,
#: Yuliya / Yulia, Aleksandr / Alexandr.
_LATIN_VARIANTS = ((r"iy$", "i"), (r"ey$", "ei"), (r"iya$", "ia"), (r"ks", "x"))


def latin_forms(name: str, locale: str) -> set[str]:
    """A Cyrillic first name of ``locale`` in Latin letters, with the variant spellings of :data:`_LATIN_VARIANTS`
    ("Алексей" -> Aleksey, Aleksei, Alexey, Alexei); a letter the tables lack yields nothing."""
    table = {**_CYRILLIC, **_CYRILLIC_BY_LOCALE.get(locale, {})}
    try:
        plain = "".join(table[c] for c in name.lower()).replace("-", "")
    except KeyError:
        return set()
    forms = {plain}
    for pattern, repl in _LATIN_VARIANTS:
        forms |= {re.sub(pattern, repl, f) for f in forms}
    return {f.capitalize() for f in forms if f}


#: Assignments of faker's address and geo providers that list places.
_PLACE_LISTS = frozenset(
    "countries cities city_names states provinces regions counties districts cantons departments villages".split()
)


def _place_strings(tree: ast.AST) -> set[str]:
    """The one-word strings of one provider module's place lists (``land_coords``: each tuple's place name;
    ``Country(name=…, capital=…)`` calls), lower-cased."""
    vals: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in ("name", "capital"):
            vals.append(node.value)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            name = target.id if isinstance(target, ast.Name) else ""
            if name == "land_coords":
                vals += [t.elts[2] for t in ast.walk(node.value) if isinstance(t, ast.Tuple) and len(t.elts) == 5]
            elif name in _PLACE_LISTS:
                vals += ast.walk(node.value)
    return {v.value.lower() for v in vals if isinstance(v, ast.Constant) and isinstance(v.value, str) and v.value.isalpha()}


#: Address modules larger than this are skipped (it_IT's, 650 kB of streets, takes a third of a second to parse).
_MAX_PLACE_FILE = 200_000


@functools.cache
def place_names() -> frozenset[str]:
    """One-word place names of faker's address data for :data:`LOCALES`, its geo coordinates and its countries and
    capitals, lower-cased: a first name that is also one of these ("America", "York", "Victoria") is left out of
    the wide prior, for the text's own evidence to decide."""
    person = _provider_dir()
    if person is None:
        return frozenset()
    root = person.parent
    paths = [root / "address" / loc / "__init__.py" for loc in ("en", *LOCALES)]
    paths += [root / "geo" / "__init__.py", root / "date_time" / "__init__.py"]
    return frozenset(w for tree in _trees(paths, _MAX_PLACE_FILE) for w in _place_strings(tree))


def wide_name_gender(first: str) -> str | None:
    """``m`` / ``f`` when faker's lists give ``first`` one gender (see :func:`wide_first_names`)."""
    return wide_first_names().get(first.lower()) or None


def is_first_name(word: str) -> bool:
    """Whether ``word`` is a first name of either gender or of both (fabula's lists or faker's)."""
    return name_prior(word) is not None or word.lower() in wide_first_names()


def first_name_gender(first: str) -> str | None:
    """fabula's own first-name prior (:func:`fabula.lexicon.name_prior`), else the wide one; none for a name given
    to both (:data:`fabula.lexicon.UNISEX_NAMES`)."""
    if first.lower() in UNISEX_NAMES:
        return None
    return name_prior(first) or wide_name_gender(first)
