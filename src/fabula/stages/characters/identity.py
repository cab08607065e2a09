"""Identity: name forms clustered into characters (entities) with genders.

Full names anchor ("Elizabeth Bennet"); first names, titled surnames ("Mr. Bennet" ≠ "Mrs. Bennet" ≠ "Jane
Bennet"), titled first names ("Sir Walter"), nicknames ("Lizzy" → Elizabeth) and bare titles ("the Colonel")
attach to them; maiden and married names, name prefixes ("Ivan Ivanitch") and nicknamed full names merge.
Gender comes from titles, then pronouns after narration mentions, then a first-name prior.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from fabula.lexicon import (
    CLIPPED_TITLES,
    FEMALE_TITLES,
    MALE_TITLES,
    MARRIED,
    NEUTRAL_TITLES,
    RANKS,
    TITLE_WORDS,
    TITLES,
    UNMARRIED,
    canon_first,
    first_readings,
    name_prior,
    title_class,
    title_gender,
)
from fabula.spans import SpanIndex
from fabula.stages.characters.forms import Form, FormKey
from fabula.stages.characters.gender import GenderContext, gender_of
from fabula.stages.characters.names import NameHit
from fabula.stages.characters.variants import (
    merge_clipped_first_names,
    merge_dialect_names,
    merge_honorifics,
    merge_nicknames_given,
)

_SENTENCE_BREAK = re.compile(r"[.!?;\"“”]")
@dataclass(slots=True)
class Entity:
    """A character being built: its forms, gender, canonical first and last name and titles."""

    forms: list[Form]
    gender: str | None = None
    first: str | None = None  # canonical first name (nicknames resolved)
    last: str | None = None
    titles: set[str] = field(default_factory=set)
    named_full: bool = False
    #: forms never shown as the name: dialect spellings, a bare title shared with other holders
    variants: list[Form] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Mentions by name."""
        return sum(len(f.hits) for f in self.forms)

    def writes_first(self, w: str) -> bool:
        """Whether one of its full names starts with ``w`` as written ("Dick Johnson" for "Dick")."""
        return any(len(f.words) >= 2 and f.words[0] == w for f in self.forms)

    def absorb(self, f: Form) -> None:
        """Take ``f`` (and its title) as one of this character's forms; a gendered title genders a character whose
        pronouns have not ("Father Bhaer" makes Friedrich Bhaer a man, so "Mother Bhaer" is someone else)."""
        self.forms.append(f)
        if f.title:
            self.titles.add(f.title)
            if self.gender is None:
                self.gender = title_gender(f.title)


#: A bare first name shared by several full names goes to the one whose surname stands within ``NEAR_WINDOW``
#: characters of at least ``NEAR_SHARE`` of its uses and ``NEAR_LEAD`` times as many as any other's.
NEAR_WINDOW = 1500
NEAR_SHARE = 0.2
NEAR_LEAD = 1.5


def _hits_near(f: Form, starts: list[int], window: int) -> int:
    """How many hits of ``f`` have one of the sorted ``starts`` within ``window`` characters (not inside the hit)."""
    n = 0
    for h in f.hits:
        i = bisect.bisect_left(starts, h.start - window)
        n += any(not h.start <= p < h.end for p in starts[i : bisect.bisect_right(starts, h.end + window)])
    return n


@dataclass(slots=True)
class _Cast:
    """Entities under construction with their indexes (positions in ``entities``) by first and last name."""

    gender: GenderContext  # what genders an entity (see gender.gender_of)
    entities: list[Entity] = field(default_factory=list)
    by_first: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_last: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    titled_surname: dict[tuple[str, str], int] = field(default_factory=dict)
    bare_starts: dict[str, list[int]] = field(default_factory=dict)  # lower-cased bare word -> sorted hit starts
    bare_narrated: dict[str, list[int]] = field(default_factory=dict)  # the same, outside quotations only
    text: str = ""
    word_starts: dict[str, list[int]] = field(default_factory=dict)  # lower-cased name word -> starts of its hits
    misses: list[tuple[bool, str]] | None = None  # each "Miss X" / "Misses X" (see _after_miss)

    def near(self, f: Form, word: str, window: int = NEAR_WINDOW) -> int:
        """How many hits of ``f`` have a name hit with ``word`` (another form's) within ``window`` characters."""
        return _hits_near(f, self.word_starts.get(word, []), window)

    def told_apart(self, f: Form, first: str, window: int = 100) -> int:
        """How often the narration names ``f`` and the bare ``first`` in one sentence ("Mr. Emerson looked at
        George"): two people. A quotation's "Miss Woodhouse" beside the narration's "Emma" is one woman, named
        two ways by two voices."""
        starts = self.bare_narrated.get(first, [])
        n = 0
        for h in f.hits:
            if h.in_quote:
                continue
            i = bisect.bisect_left(starts, h.start - window)
            for p in starts[i : bisect.bisect_right(starts, h.end + window)]:
                a, b = (h.end, p) if p >= h.end else (p, h.start)
                if not h.start <= p < h.end and not _SENTENCE_BREAK.search(self.text, a, b):
                    n += 1
                    break
        return n

    def side_by_side(self, f: Form, first: str, window: int = 100) -> int:
        """How often the bare name ``first`` stands within ``window`` characters of a hit of ``f`` (not inside
        it): "Mr. Emerson and George" twice means two people, not one."""
        return _hits_near(f, self.bare_starts.get(first, []), window)

    def add(self, e: Entity) -> int:
        """Append ``e``; its index."""
        self.entities.append(e)
        return len(self.entities) - 1

    def full(self, ids: list[int]) -> list[int]:
        """Those of ``ids`` that were named by a full name, one per person (:func:`_person_key`: of "Tom Redruth"
        and "Thomas Redruth", not yet merged, the more frequent)."""
        best: dict[tuple[str, str | None] | int, int] = {}
        for i in ids:
            e = self.entities[i]
            k = _person_key(e)
            if e.named_full and (k not in best or e.count > self.entities[best[k]].count):
                best[k] = i
        keep = set(best.values())
        return [i for i in ids if i in keep]

    def titled_home(self, title: str, w: str, *, first: str | None = None, last: str | None = None) -> int:
        """The entity for a titled single word no full name claims ("Mr. Collins", "Sir Thomas"): one per title
        class and word, created with the given first or last name (a surname is indexed)."""
        key = (title_class(title), w.lower())
        target = self.titled_surname.get(key)
        if target is None:
            target = self.add(Entity([], gender=title_gender(title), first=first, last=last, titles={title}))
            self.titled_surname[key] = target
            if last is not None:
                self.by_last[last].append(target)
        return target


def cluster(text: str, forms: dict[FormKey, Form], qi: SpanIndex[int], gender: GenderContext) -> list[Entity]:
    """Cluster forms into entities: full names anchor; first names, titled surnames and nicknames attach to them."""
    cast = _Cast(gender=gender, text=text)
    by_word: dict[str, list[int]] = defaultdict(list)
    for f in forms.values():
        if f.title is None and len(f.words) == 1:
            cast.bare_starts[f.words[0].lower()] = sorted(h.start for h in f.hits)
            cast.bare_narrated[f.words[0].lower()] = sorted(h.start for h in f.hits if not h.in_quote)
        for w in f.words:
            by_word[w.lower()].extend(h.start for h in f.hits)
    cast.word_starts = {w: sorted(v) for w, v in by_word.items()}
    _anchor_full_names(cast, forms)
    for e in cast.entities:
        e.gender = gender_of(gender, e.forms)
    _merge_married_names(cast.entities, forms)
    _merge_name_prefixes(cast.entities)
    _merge_epithets(cast.entities)
    for i, e in enumerate(cast.entities):
        if not e.forms:
            continue
        if e.first:
            cast.by_first[e.first].append(i)
        if e.last:
            cast.by_last[e.last].append(i)
    singles = sorted(
        (f for f in forms.values() if len(f.words) == 1), key=lambda f: (f.title is None, -len(f.hits))
    )
    for f in singles:
        if f.title is not None and f.title not in NEUTRAL_TITLES | {"sir", "lady"}:
            target = _home_of_titled_surname(cast, f)
        elif f.title is not None:
            target = _home_of_titled_name(cast, f)
        else:
            target = _home_of_bare_name(cast, f, text, qi)
        cast.entities[target].absorb(f)
    entities = cast.entities
    _merge_title_classes(entities)
    _merge_nicknamed(entities)
    _merge_titled_with_bare(entities)
    _merge_bare_titles(entities)
    merge_dialect_names(entities, qi)
    _merge_miss_first_names(entities, gender)
    merge_clipped_first_names(entities)
    merge_honorifics(entities, text)
    merge_nicknames_given(entities, text)
    _split_shared_titles(entities)
    for e in entities:
        if e.forms:
            e.gender = gender_of(gender, e.forms)
    return [e for e in entities if e.forms]


def _anchor_full_names(cast: _Cast, forms: dict[FormKey, Form]) -> None:
    """Multi-word forms (first + last), grouped by their words; conflicting title genders split."""
    full_by_words: dict[tuple[str, ...], int] = {}
    multi = sorted((f for f in forms.values() if len(f.words) >= 2), key=lambda f: -len(f.hits))
    for f in multi:
        if _two_people(cast, f):
            continue
        g = title_gender(f.title)
        key = f.words
        # "Mrs. Newland Archer" is his wife, not Newland Archer; "Mrs. Rachel Lynde" is Rachel Lynde
        husbands = f.title in MARRIED and name_prior(f.words[0]) != "f"
        if husbands:
            key = ("Mrs.", *f.words)
        idx = full_by_words.get(key)
        if idx is not None:
            e = cast.entities[idx]
            eg = next((title_gender(t) for t in e.titles if title_gender(t)), None)
            if g is None or eg is None or g == eg:
                e.absorb(f)
                continue
        # "Mrs. Charles Musgrove": the first name is her husband's, so a bare "Charles" is not her
        first = None if husbands else canon_first(f.words[0])
        e = Entity([], first=first, last=f.words[-1].lower(), named_full=True)
        e.absorb(f)
        new = cast.add(e)
        if idx is None:
            full_by_words[key] = new


def _two_people(cast: _Cast, f: Form) -> bool:
    """"Martha Potapitch" written once where the text says "Potapitch and Martha" again and again: an untitled
    two-word form whose words, each used bare, the story joins with "and" (either way round) more often than it
    writes the form, at least twice, names two people, not one; it anchors no one."""
    if f.title is not None or len(f.words) != 2:
        return False
    joined = 0
    for first, second in (f.words, f.words[::-1]):
        after = re.compile(rf"\s+and\s+{re.escape(second)}\b")
        for p in cast.bare_starts.get(first.lower(), []) if second.lower() in cast.bare_starts else []:
            joined += after.match(cast.text, p + len(first)) is not None
    return joined >= 2 and joined >= len(f.hits)


def _rank_conflict(title: str, e: Entity) -> bool:
    """"General Tilney" is neither the "Mr. Henry Tilney" nor the "Captain Frederick Tilney" of the story: a rank
    and "Mr.", or two ranks, by one surname are two men."""
    return title in RANKS and any(
        f.title and (title_class(f.title) == "mr" or (f.title in RANKS and f.title != title)) for f in e.forms
    )


# "Miss" or "Misses" and the capitalised word after it (a literal first: the regex engine finds it fast).
_MISS = re.compile(r"Miss(es)?\s+([A-Z][\w'’-]*)")


def _after_miss(cast: _Cast) -> list[tuple[bool, str]]:
    """Each "Miss X" / "Misses X" of the text (not inside a word) as (plural title, the word after it)."""
    if cast.misses is None:
        text = cast.text
        cast.misses = [
            (m.group(1) is not None, m.group(2))
            for m in _MISS.finditer(text)
            if not _word_char(text[max(m.start() - 1, 0) : m.start()])
        ]
    return cast.misses


def _word_char(c: str) -> bool:
    r"""``c`` (one character, or none) is a word character, as ``\w`` has it."""
    return c.isalnum() or c == "_"


def _is_word(token: str, word: str) -> bool:
    r"""``token`` starts with the whole word ``word`` (what ``\bword\b`` would match at its start)."""
    return token.startswith(word) and not _word_char(token[len(word) : len(word) + 1])


def _sisters(cast: _Cast, surname: str) -> bool:
    """The text speaks of several unmarried daughters of the family, twice or more: "the Miss Steeles", "the
    Misses Steele" (once may be a type: "when Miss Smiths and Mr. Eltons get acquainted")."""
    plural = (surname + "s", surname + "es")
    n = sum(
        any(_is_word(w, p) for p in plural) or (misses and _is_word(w, surname)) for misses, w in _after_miss(cast)
    )
    return n >= 2


def _miss_first(cast: _Cast, e: Entity) -> bool:
    """The text calls her "Miss" and her first name ("Miss Lucy", "Miss Lucy Steele"), as a younger sister is
    told apart from the eldest."""
    firsts = {f.words[0] for f in e.forms if len(f.words) >= 2 and f.words[0][:1].isupper()}
    return any(not misses and _is_word(w, first) for misses, w in _after_miss(cast) for first in firsts)


def _home_of_titled_surname(cast: _Cast, f: Form) -> int:
    """Mr./Mrs./Miss + surname: a full name with that surname, compatible gender and marital title; else a
    first name of the title's gender ("Mrs. Rachel"); else the title class's own entity for the word."""
    assert f.title is not None
    entities = cast.entities
    w = f.words[0]
    wl = w.lower()
    g = title_gender(f.title)
    target: int | None = None
    cands = []
    full_holders = cast.full(cast.by_last.get(wl, []))
    # among sisters the eldest is "Miss Steele" and the others "Miss Lucy": names side by side tell nobody apart
    sisters = f.title in UNMARRIED and _sisters(cast, w)
    for i in full_holders:
        e = entities[i]
        if g and e.gender and e.gender != g:
            continue
        if f.title == "mrs" and not (e.titles & MARRIED):
            continue
        if f.title in UNMARRIED and e.titles & MARRIED:
            continue
        # "Mr. Poirot" → "Hercule Poirot" (gender unknown yet) when he is the only one of that name
        if f.title in MALE_TITLES and e.gender != "m" and not (e.gender is None and len(full_holders) == 1):
            continue
        # "… and Albert Fussell reply, '…,' and Colonel Fussell opine …": a rank named beside a full name without it
        # is another man, the father (not "Captain Frederick Tilney", whose full name carries the rank)
        if _rank_conflict(f.title, e) or (
            f.title in RANKS
            and not any(g2.title == f.title for g2 in e.forms)
            and _hits_near(f, sorted(h.start for g2 in e.forms if len(g2.words) >= 2 for h in g2.hits), RANK_NEAR)
        ):
            continue
        # "Mr. Emerson" beside "George" again and again: George Emerson's father, not George, where the narration
        # names both in one sentence, the text needs "Mr. George Emerson" to tell them apart (a woman's formal
        # "Miss Jane Fairfax" is no such sign), or the family has several men; met only across voices
        # ("'Mr. Denham,' said Katharine" near "Ralph"), one man
        n_beside = cast.side_by_side(f, e.first) if e.first and not sisters else 0
        if n_beside >= 2 and (
            (e.first is not None and cast.told_apart(f, e.first) >= 2)
            or (g != "f" and any(g2.title == f.title and len(g2.words) >= 2 for g2 in e.forms))
            or len({_person_key(entities[j]) for j in full_holders if entities[j].gender == e.gender}) > 1
        ):
            continue
        cands.append(i)
    if len({_person_key(entities[i]) for i in cands}) == 1 < len(cands):
        # "Joe Gargery" and "Joseph Gargery", one man under two full names not yet joined (see _merge_nicknamed)
        cands = [max(cands, key=lambda i: entities[i].count)]
    if sisters and cands:
        # "the Miss Steeles": a bare "Miss Steele" is the eldest daughter, none of those the text calls "Miss Lucy"
        cands = [i for i in cands if not _miss_first(cast, entities[i])]
        if not cands:
            return cast.titled_home(f.title, w, last=wl)
    if len(cands) == 1:
        target = cands[0]
    elif len(cands) > 1 and f.title != "mrs" and g == "f":
        cands.sort(key=lambda i: -entities[i].count)
        if entities[cands[0]].count >= 2 * entities[cands[1]].count:
            target = cands[0]
    if target is None and title_class(f.title) in ("mr", "mrs", "miss") and g and name_prior(w) == g:
        # "Mrs. Rachel" / "Miss Elizabeth": a first name of the title's gender after the title, when one
        # full name starts with it ("Mrs. Rachel Lynde"; not "Mrs. Charles Musgrove", a husband's name)
        target = _sole_full_form(entities, w, lambda e: e.named_full and e.gender in (None, g))
    if target is None and title_class(f.title) not in ("mr", "mrs", "miss") and name_prior(w) in (None, g):
        # "Lord Henry" is "Lord Henry Wotton": a first name (not one of the other gender) after a title of rank,
        # when one full name carries that title before that first name
        target = _sole_full_form(entities, w, lambda e: e.named_full, lambda f2: f2.title == f.title)
    if target is None and f.title in MARRIED and name_prior(w) == "m" and not cast.by_last.get(wl):
        # "Mrs. Joe" is "Mrs. Joe Gargery", her husband's names, when one woman goes by them (a man's first name,
        # nobody's surname: "Mrs. Manson" is not "Mrs. Manson Mingott")
        target = _sole_full_form(entities, w, lambda e: True, lambda f2: f2.title in MARRIED)
    if target is None:
        target = cast.titled_home(f.title, w, last=wl)
    return target


def _sole_full_form(
    entities: list[Entity],
    w: str,
    entity_ok: Callable[[Entity], bool],
    form_ok: Callable[[Form], bool] = lambda f: True,
) -> int | None:
    """The one entity (of those ``entity_ok`` keeps) with a form of two words or more that starts with ``w`` and
    that ``form_ok`` keeps; None when there is none or more than one."""
    hits = [
        i
        for i, e in enumerate(entities)
        if entity_ok(e) and any(len(f.words) >= 2 and f.words[0] == w and form_ok(f) for f in e.forms)
    ]
    return hits[0] if len(hits) == 1 else None


def _person_key(e: Entity) -> tuple[str, str | None] | int:
    """Canonical first and last name: two full names with one key are one person ("Joe" and "Joseph"); one with
    no first name of its own ("Mrs. John Dashwood", her husband's) is a key of its own."""
    return (e.first, e.last) if e.first else id(e)


def _home_of_titled_name(cast: _Cast, f: Form) -> int:
    """Sir Walter / Lady Russell / Dr. Bauerstein: the one full name with that first name, or with that last name
    and title, of a compatible gender; else the title class's own entity for the word."""
    assert f.title is not None
    entities = cast.entities
    w = f.words[0]
    g = title_gender(f.title)
    cands = [i for r in first_readings(w) for i in cast.full(cast.by_first.get(r, []))] + [
        i for i in cast.full(cast.by_last.get(w.lower(), [])) if f.title in entities[i].titles
    ]
    cands = [i for i in dict.fromkeys(cands) if not (g and entities[i].gender and entities[i].gender != g)]
    if len(cands) > 1:
        # several Johns, one of them "Sir John Middleton": "Sir John" is the one who carries the title
        cands = [i for i in cands if f.title in entities[i].titles] or cands
    if len(cands) > 1:
        # "Miss Kate" beside "Kate Vaughn" and "Kitty Bryant": the name as written beats the nickname's reading
        cands = [i for i in cands if entities[i].writes_first(w)] or cands
    if not cands and f.title in NEUTRAL_TITLES:
        # "Professor Bhaer": the one full name of that surname ("Friedrich Bhaer"), titled so or not
        cands = [
            i
            for i in cast.full(cast.by_last.get(w.lower(), []))
            if not (g and entities[i].gender and entities[i].gender != g)
        ]
    if len(cands) == 1:
        return cands[0]
    return cast.titled_home(f.title, w, first=canon_first(w))


def _home_of_bare_name(cast: _Cast, f: Form, text: str, qi: SpanIndex[int]) -> int:
    """An untitled single word: the full name it is the first name of (the bigger one when it is also a surname;
    the family mentioned most among several), else the surname's titled male or only holder (or, among a "Mr."
    and a "Mrs.", the one of the bare word's own pronoun gender), else its own."""
    entities = cast.entities
    w = f.words[0]
    wl = w.lower()
    target: int | None = None
    cf = canon_first(w)
    # "Lady Catherine", "Sir John": a first name used with a rank title is not also used bare; "Kitty" and "John"
    # are someone else ("Lady Marrow", a surname, says nothing of "Iselde")
    cands = [
        i
        for r in first_readings(w)
        for i in cast.full(cast.by_first.get(r, []))
        if not any(
            g.title in ("sir", "lady") and len(g.words) == 1 and g.words[0].lower() != entities[i].last
            for g in entities[i].forms
        )
    ]
    holders_all = cast.full(cast.by_last.get(wl, []))
    if cands and holders_all:
        # "Archer" is Newland Archer's surname more often than anyone's first name: the bigger one wins
        best_last = max(holders_all, key=lambda i: entities[i].count)
        best_first = max(cands, key=lambda i: entities[i].count)
        if entities[best_last].count > entities[best_first].count:
            cands = []
    # "Fitzwilliam" is Colonel Fitzwilliam's surname far more often than the first name of "Mr. Fitzwilliam Darcy"
    # (a first name as written: "Teddy" for Theodore Laurence is a nickname, whatever "Sir Teddy" says)
    surnamed = [i for i in cast.by_last.get(wl, []) if entities[i].titles and i not in holders_all]
    as_first = max((_uses(entities[i], w, 0) for i in cands), default=0)
    if as_first and surnamed and max(_uses(entities[i], w, -1) for i in surnamed) > USE_LEAD * as_first:
        cands = []
    if not cands:
        # a bare surname: the titled male (Mr. Darcy) or the only holder
        holders = [i for i in cast.by_last.get(wl, []) if not entities[i].named_full or i in holders_all]
        # a woman's first name is not the bare name of a "Mr." ("Camilla" beside "Mr. Camilla", her husband)
        male = [
            i
            for i in holders
            if entities[i].gender == "m" and entities[i].titles & MALE_TITLES and name_prior(w) != "f"
        ]
        if len(male) == 1:
            target = male[0]
        elif len(holders) == 1:
            # "Archer", he, beside only "Mrs. Archer": her son or husband, not her (a word mostly possessive,
            # "Ford's", is a shop or a house before a man)
            h = entities[holders[0]]
            if not (
                not h.named_full
                and h.titles
                and h.titles <= FEMALE_TITLES
                and 2 * sum(x.possessive for x in f.hits) < len(f.hits)
                and gender_of(cast.gender, [f]) == "m"
            ):
                target = holders[0]
        elif male:
            target = max(male, key=lambda i: entities[i].count)
        elif len(holders) > 1:
            # "Wemmick" beside "Mr. Wemmick" and "Mrs. Wemmick", no gender known yet for either: the bare word's
            # own pronouns choose
            g = gender_of(cast.gender, [f])
            titled = MALE_TITLES if g == "m" else FEMALE_TITLES if g == "f" else frozenset()
            same = [i for i in holders if entities[i].titles & titled and entities[i].gender in (None, g)]
            if len(same) == 1:
                target = same[0]
    elif len(cands) == 1:
        target = cands[0]
    else:
        # several "John": the one whose surname stands near the bare name's uses most often ("John" in the scenes
        # of "Mr. Brooke", not of "Mr. Laurence"), when clearly; else one whose full name writes the word as it
        # is ("Dick" is Dick Johnson, not Richard Joyce), then the one of the family the story is about (its
        # surname is mentioned most)
        def family(i: int) -> tuple[bool, int]:
            return entities[i].writes_first(w), sum(
                entities[j].count for j in cast.by_last.get(entities[i].last or "", [])
            )

        near = sorted(((cast.near(f, entities[i].last or ""), i) for i in cands), reverse=True)
        if near[0][0] >= NEAR_SHARE * len(f.hits) and near[0][0] >= NEAR_LEAD * near[1][0]:
            target = near[0][1]
        else:
            target = max(cands, key=lambda i: (family(i), entities[i].count))
    if target is None:
        target = cast.add(Entity([], first=cf))
        cast.by_first[cf].append(target)
    return target


#: Characters within which a rank's surname form and a full name without the rank name two men.
RANK_NEAR = 150

#: A bare word joins a titled surname ("Colonel Fitzwilliam") rather than a full name it opens when the text writes
#: the surname more than this many times as often.
USE_LEAD = 2


def _uses(e: Entity, w: str, k: int) -> int:
    """How often ``e``'s names hold ``w`` as their first word (``k`` 0, full names only) or last (``k`` -1)."""
    return sum(len(f.hits) for f in e.forms if f.words[k] == w and (k != 0 or len(f.words) >= 2))


def _merge_titled_with_bare(entities: list[Entity]) -> None:
    """"Dr. Kemp" / "Colonel Adye" and a bare "Kemp" / "Adye": one person when the bare word has no other home."""
    bare: dict[str, int] = {}
    for i, e in enumerate(entities):
        for f in e.forms:
            if f.title is None and len(f.words) == 1:
                w = f.words[0].lower()
                bare[w] = -1 if w in bare and bare[w] != i else i
    for e in entities:
        if not e.forms or e.named_full or len(e.titles) != 1:
            continue
        t = next(iter(e.titles))
        if title_class(t) in ("mr", "mrs", "miss") or len({f.words for f in e.forms}) != 1:
            continue
        j = bare.get(e.forms[0].words[0].lower())
        if j is None or j < 0 or entities[j] is e:
            continue
        other = entities[j]
        g = title_gender(t)
        if (g and other.gender and other.gender != g) or _rank_conflict(t, other):
            continue
        if other.named_full and other.last != e.forms[0].words[0].lower():
            # "Colonel Fitzwilliam" is not Fitzwilliam Darcy, "King George" not George Merry: the bare word is
            # that one's first name
            continue
        other.forms.extend(e.forms)
        other.titles.add(t)
        e.forms = []


def _merge_miss_first_names(entities: list[Entity], gender: GenderContext) -> None:
    """"Miss Jo", "Mrs. Meg", "Master Kit": a title before a first name, no one's surname, is the one person of
    that first name and the title's gender ("Jo", "Meg March", "Christopher"), not a character of their own. A bare
    word whose own pronouns are the other gender's is not that person ("Archer", he, beside "Mrs. Archer")."""
    surnames = {e.last for e in entities if e.forms and e.named_full and e.last}
    for e in entities:
        if not e.forms or e.named_full or len({f.words for f in e.forms}) != 1:
            continue
        f = e.forms[0]
        if f.title is None or len(f.words) != 1:
            continue
        g = "m" if f.title == "master" else "f" if title_class(f.title) in ("mrs", "miss") else None
        w = f.words[0]
        if g is None or w.lower() in surnames or name_prior(w) == ("f" if g == "m" else "m"):
            continue
        readings = first_readings(w)
        homes = sorted(
            (
                o
                for o in entities
                if o is not e
                and o.forms
                and o.first in readings
                and (o.gender or gender_of(gender, o.forms)) in (None, g)
            ),
            key=lambda o: -o.count,
        )
        # "Miss Kate" is a Kate before a Kitty
        homes = [o for o in homes if any(h.words[0] == w for h in o.forms)] or homes
        if len(homes) > 1 and homes[0].count < 2 * homes[1].count:
            continue  # two people of that name, neither the obvious one
        if homes and any(h.title is None for h in homes[0].forms):
            homes[0].forms.extend(e.forms)
            homes[0].titles |= e.titles
            e.forms = []


def _merge_bare_titles(entities: list[Entity]) -> None:
    """A bare title used as a name ("Mademoiselle", "the Colonel") is the character holding that title: the only
    one, or the one named five times as often as all the others together."""
    for e, owners in _lone_titles(entities):
        owners.sort(key=lambda o: -o.count)
        if owners and owners[0].count >= 5 * sum(o.count for o in owners[1:]):
            owners[0].forms.extend(e.forms)
            e.forms = []


def _split_shared_titles(entities: list[Entity]) -> None:
    """A bare title left on its own when several characters hold it is split among them by scene (after every
    other merge, so that the holders' own forms have found their homes first)."""
    for e, owners in _lone_titles(entities):
        if len(owners) >= 2:
            _split_by_scene(e, owners)


def _lone_titles(entities: list[Entity]) -> Iterator[tuple[Entity, list[Entity]]]:
    """Each entity that is only a bare title ("Duchess", "the Colonel"), with the other entities holding it."""
    for e in entities:
        if len(e.forms) != 1 or not _bare_title(e.forms[0]):
            continue
        t = e.forms[0].words[0].lower()
        t = CLIPPED_TITLES.get(t, t)
        yield e, [
            o for o in entities if o is not e and o.forms and t in {TITLE_WORDS.get(x or "", x) for x in o.titles}
        ]


def _bare_title(f: Form) -> bool:
    return f.title is None and len(f.words) == 1 and (f.words[0].lower() in TITLES or clipped(f))


def clipped(f: Form) -> bool:
    """A clipped form of address used as a name ("Sarge", "Doc"; see ``CLIPPED_TITLES``)."""
    return len(f.words) == 1 and f.words[0].lower() in CLIPPED_TITLES


def _split_by_scene(e: Entity, owners: list[Entity]) -> None:
    """"Good evening, Duchess" to two duchesses: each use of the bare title goes to the holder named last before
    it (the first one named after it, at the start of the story), so that it makes no character of its own."""
    marks = sorted((h.start, k) for k, o in enumerate(owners) for f in o.forms for h in f.hits)
    starts = [s for s, _ in marks]
    form = e.forms[0]
    parts: dict[int, list[NameHit]] = defaultdict(list)
    for h in form.hits:
        j = bisect.bisect_left(starts, h.start)
        parts[marks[j - 1][1] if j else marks[0][1]].append(h)
    for k, hits in parts.items():
        part = Form(form.title, form.words, hits, form.entity)
        owners[k].forms.append(part)
        owners[k].variants.append(part)  # what they are called here, not their name
    e.forms = []


def _titles_of(e: Entity, word: str) -> set[str | None]:
    """The titles ``e`` goes by before the single word ``word`` (lower case)."""
    return {f.title for f in e.forms if len(f.words) == 1 and f.words[0].lower() == word}


def _merge_title_classes(entities: list[Entity]) -> None:
    """"Mrs. Pontellier" and "Madame Pontellier" are one woman: a titled surname left on its own (no full name
    took it) joins the one full-named character that holds the same surname under another title of the same
    class (see :func:`title_class`) and a compatible gender. The same title and surname on two characters
    ("Mr. Emerson", father and son) were told apart on purpose and stay apart."""
    holders: dict[tuple[str, str], list[Entity]] = defaultdict(list)
    for e in entities:
        for key in {(title_class(f.title), f.words[0].lower()) for f in e.forms if f.title and len(f.words) == 1}:
            holders[key].append(e)
    for (_, word), es in holders.items():
        alone = [e for e in es if not e.named_full]
        full = [e for e in es if e.named_full]
        if len(alone) != 1 or len(full) != 1 or not alone[0].forms:
            continue
        e, home = alone[0], full[0]
        if e.gender and home.gender and e.gender != home.gender:
            continue
        if _titles_of(e, word) & _titles_of(home, word):
            continue
        home.forms.extend(e.forms)
        home.titles |= e.titles
        e.forms = []


def _merge_nicknamed(entities: list[Entity]) -> None:
    """"Jim Vane" and "James Vane": full names whose first names are one by the nickname table are one person
    (after the titled surnames found their homes, so that the counts they went by are the plain full names')."""
    home: dict[tuple[str, str], Entity] = {}
    for e in entities:
        if not e.forms or not e.named_full or not e.first or not e.last:
            continue
        other = home.setdefault((e.first, e.last), e)
        if other is e or (e.gender and other.gender and e.gender != other.gender):
            continue
        other.forms.extend(e.forms)
        other.titles |= e.titles
        e.forms = []


def _merge_name_prefixes(entities: list[Entity]) -> None:
    """"Ivan Ivanitch" is "Ivan Ivanitch Kuzmitchov": a two-word name that begins the longer full name of exactly
    one other character (of a compatible gender) is that character (first name and patronymic, double first
    names)."""
    longer: dict[tuple[str, ...], list[Entity]] = defaultdict(list)
    for e in entities:
        if e.named_full:
            for prefix in {f.words[:2] for f in e.forms if len(f.words) >= 3}:
                longer[prefix].append(e)  # once per entity: the set holds each prefix once
    for e in entities:
        words = {f.words for f in e.forms}
        if not e.named_full or e.first is None or len(words) != 1 or len(next(iter(words))) != 2:
            continue
        homes = [o for o in longer.get(next(iter(words)), []) if o is not e and o.forms]
        if len(homes) != 1 or (e.gender and homes[0].gender and e.gender != homes[0].gender):
            continue
        homes[0].forms.extend(e.forms)
        homes[0].titles |= e.titles
        e.forms = []


def _merge_epithets(entities: list[Entity]) -> None:
    """"Long John Silver" is "John Silver": a full name of three words or more that ends with the two-word full
    name of exactly one other character (of a compatible gender) is that character with an epithet."""
    two: dict[tuple[str, ...], list[Entity]] = defaultdict(list)
    for e in entities:
        if e.named_full:
            for w in {f.words for f in e.forms if len(f.words) == 2 and f.title is None}:
                two[w].append(e)
    for e in entities:
        tails = {f.words[-2:] for f in e.forms if len(f.words) >= 3 and f.title is None}
        homes = {id(o): o for t in tails for o in two.get(t, []) if o is not e and o.forms}
        if len(homes) != 1:
            continue
        home = next(iter(homes.values()))
        if e.gender and home.gender and e.gender != home.gender:
            continue
        home.forms.extend(e.forms)
        home.titles |= e.titles
        e.forms = []


def _merge_married_names(
    entities: list[Entity], forms: dict[tuple[str | None, tuple[str, ...]], Form]
) -> None:
    """A woman's maiden and married names are one person: "May Welland" and, later, "May Archer", when a man
    named Archer and another Welland are in the story and "May" alone is used more than both full names
    together. The later name's forms move to the earlier one (the emptied entity is dropped by the caller)."""
    men = {e.last for e in entities if e.named_full and e.gender == "m" and e.last}
    groups: dict[str, list[Entity]] = defaultdict(list)
    for e in entities:
        if e.named_full and e.gender == "f" and e.first and not e.titles & MARRIED and e.forms:
            groups[e.first].append(e)
    for first, es in groups.items():
        bare = forms.get((None, (first.capitalize(),)))
        if len(es) != 2 or bare is None or len(bare.hits) <= sum(e.count for e in es):
            continue
        older, newer = sorted(es, key=lambda e: min(h.start for f in e.forms for h in f.hits))
        family = any(
            f.words[-1].lower() == older.last and (f.title or len(f.words) > 1) and f not in older.forms
            for f in forms.values()
        )
        if newer.last in men and older.last != newer.last and family:
            older.forms.extend(newer.forms)
            newer.forms = []
