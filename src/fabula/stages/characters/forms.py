"""Forms: name hits grouped by surface form (title + words), keeping the forms that behave like person names.

A word is kept as a name word when it is rarely written in lower case and not only ever sentence-initial, unless a
cue supports it (``said X``, ``X said``, a vocative, a possessive, a title); stop words are rescued only where the
text uses them as a person ("said May"). Forms used as places ("in Highbury") or plurals ("the Bennets", "the Miss
Steeles") are dropped.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from fabula.lexicon import (
    CANON_TITLE,
    DEMONYMS,
    EPITHETS,
    FEMALE_NAMES,
    KIN_NAMES,
    MALE_NAMES,
    MONTH_SURNAMES,
    NOT_RESCUED,
    PARTICLES,
    PLACE_PREP,
    PLACE_SURNAMES,
    STOP,
    STOP_NAMES,
    SURNAME_RANKS,
    SURNAME_TITLES,
    TITLES,
    name_prior,
)
from fabula.stages.characters.first_names import first_name_gender
from fabula.stages.characters.names import NameHit, after_abbrev
from fabula.stages.characters.nouns import common_words, personish

#: A form's key: its title (lower case, no period, or None) and its name words.
FormKey = tuple[str | None, tuple[str, ...]]

_ROMAN = re.compile(r"[IVXLCDM]+")
_PREP_BEFORE = re.compile(r"(\w+)\s+(?:the\s+)?$")


#: A relative's noun right before a name: "my little sister Ivy", "her cousin Hope" (see ``_NameWords.kin_named``).
_KIN_BEFORE = re.compile(
    r"\b(?:sister|brother|cousin|daughter|son|niece|nephew|granddaughter|grandson|wife|husband|twin)\s+$"
)


@dataclass(slots=True)
class Form:
    """A distinct surface form (title + words) with its evidence."""

    title: str | None
    words: tuple[str, ...]
    hits: list[NameHit] = field(default_factory=list)
    entity: int = -1

    @property
    def text(self) -> str:
        """The form as written out, with a canonical title ("Mr. Darcy", "Lady Russell")."""
        t = CANON_TITLE.get(self.title or "", (self.title or "").capitalize()) if self.title else ""
        return (t + " " if t else "") + " ".join(self.words)


@dataclass(slots=True)
class _Evidence:
    """Counts over the hits that contain one word (a hit counts once per occurrence of the word in it)."""

    caps: int = 0  # hits
    noninit: int = 0  # not sentence-initial
    mid: int = 0  # one-word hits, not sentence-initial
    mid_cued: int = 0  # of those, tagged, addressed or possessive
    cued: int = 0  # tagged, addressed or titled
    init_cued: int = 0  # sentence-initial one-word hits a verb follows ("June sighed")
    quoted: int = 0  # hits inside quotations
    labels: int = 0  # hits that label a message or a script's speech ("Mia: omw")
    tagged: int = 0  # hits that name the speaker in a dialogue tag ('"…," said Hope')

    def add(self, h: NameHit, sign: int = 1, first: bool = True) -> None:
        """Count ``h`` in (``sign`` 1) or out (-1). ``first``: the word opens the hit; a later word of a
        sentence-initial hit is not sentence-initial ("Dario Vitale has worked": Vitale's capital is a name's)."""
        mid = not h.initial and len(h.words) == 1
        self.caps += sign
        self.noninit += sign * (not (h.initial and first))
        self.mid += sign * mid
        self.mid_cued += sign * (mid and (h.cue or h.vocative or h.possessive))
        self.cued += sign * bool(h.cue or h.vocative or h.title)
        self.init_cued += sign * (h.initial and len(h.words) == 1 and h.cue and not h.in_quote)
        self.quoted += sign * h.in_quote
        self.labels += sign * h.label
        self.tagged += sign * h.tagged

    def person_like(self) -> bool:
        """Used mid-sentence mostly as a person is: tagged, addressed, possessive ("said May", "May's")."""
        return self.mid_cued >= 3 and self.mid_cued >= 0.2 * self.mid

    def acts(self) -> bool:
        """:meth:`person_like`, or, where the text also opens sentences with it, the subject of a verb in half its
        uses ("June sighed", "June laughed", "June's ears"): for a first name that is also a month."""
        cued = self.mid_cued + self.init_cued
        return self.person_like() or (cued >= 3 and cued >= 0.5 * self.caps)


#: An auxiliary right after a word: "Kai was leaning", "Kai had gone", "Kai could see".
_AUX_AFTER = re.compile(r"[ \t]+(?:was|is|had|has|would|could|will|did|does|should|might|must|can|wo)(?:n['’]t)?\b")


_SENTENCE_BREAK = re.compile(r"[.!?:]|\n\s*\n")
_TYPED_WORD = re.compile(r"[a-z][\w'’]*")


class _NameWords:
    """Which capitalised words behave like name words, judged on all the hits containing them. The counts are
    kept up to date as hits are trimmed (:meth:`retitle`), so each judgement costs O(1)."""

    def __init__(
        self, text: str, hits: list[NameHit], priors: set[str], lower: Counter[str], kin: Collection[str] = ()
    ) -> None:
        self.text = text
        self.kin = kin
        self._typed: set[str] | None = None
        self.lower = lower
        self.common = common_words()
        self.priors = priors
        self.evidence: dict[str, _Evidence] = defaultdict(_Evidence)
        for h in hits:
            for k, w in enumerate(h.words):
                self.evidence[w].add(h, first=k == 0)
        self.titled = {h.words[0] for h in hits if h.title in SURNAME_TITLES and len(h.words) == 1}
        # one-word names an auxiliary follows ("Kai was leaning"), not after an abbreviation's full stop ("St.
        # John was"): a saint or a place
        self.before_aux = {
            h.words[0]
            for h in hits
            if len(h.words) == 1 and _AUX_AFTER.match(text, h.end) and not after_abbrev(text, h.start)
        }
        self.surnames = self.titled | {h.words[-1] for h in hits if len(h.words) > 1}
        # tags that give a word alone as a name, not as a role or after a title ("Ash said", not "said the Duck",
        # not "said Mrs. K", a surname cut short in a letter)
        self.tag_named = Counter(
            h.words[0] for h in hits if h.tagged and h.title is None and len(h.words) == 1 and not after_the(text, [h])
        )
        # one-word names right after a relative's noun: "my little sister Ivy", "his cousin Hope"
        self.kin_named = Counter(
            h.words[0] for h in hits if len(h.words) == 1 and _KIN_BEFORE.search(text, max(0, h.start - 24), h.start)
        )

    def trim(self, h: NameHit, words: tuple[str, ...], title: str | None) -> None:
        """Give ``h`` new words and title, moving its counts (under the words it was counted for)."""
        counted = h.words
        for k, w in enumerate(counted):
            self.evidence[w].add(h, -1, k == 0)
        h.words, h.title = words, title
        for k, w in enumerate(counted):
            self.evidence[w].add(h, 1, k == 0)

    def only_opens(self, w: str) -> bool:
        """``w`` is only ever written sentence-initially, never with a cue, and is no known first name: an adverb
        or interjection capitalised by its place ("Hereupon", "Whereat")."""
        ev = self.evidence.get(w) or _Evidence()
        return ev.noninit == 0 and ev.cued == 0 and w.lower() not in self.priors and name_prior(w) is None

    def plain_first_name(self, w: str) -> bool:
        """``w`` is a known first name, no month ("June Kitty") and no English word the text or the language writes
        in lower case."""
        wl = w.lower()
        plain = wl not in self.common and wl not in MONTH_SURNAMES and wl not in STOP and not self.lower.get(wl, 0)
        return plain and first_name_gender(w) is not None

    def capital_of_place(self, h: NameHit) -> bool:
        """``h`` is one untitled word opening its sentence with no cue, the word never ends a longer name (a
        surname: "Hands was one of mine"), the text writes it in lower case more often than with a capital, and it
        is no known first name: an ordinary word ("Long after…") that only shares its spelling with the first word
        of a longer name ("Long Tom")."""
        if h.title is not None or len(h.words) != 1 or not h.initial or h.cue or h.vocative or h.possessive:
            return False
        w = h.words[0]
        wl = w.lower()
        ev = self.evidence.get(w) or _Evidence()
        if w in self.surnames or wl in self.priors or name_prior(w) is not None:
            return False
        return self.lower.get(wl, 0) > ev.caps

    @staticmethod
    def surname(w: str) -> bool:
        """``w`` may be a surname after a title or a known first name ("Mr. Gray", "Dorian Gray") although
        :meth:`ok` doubts it alone (a common English word, or one the text also writes in lower case): a
        capitalised word that is no stop word, form of address, particle or roman numeral."""
        wl = w.lower()
        return (
            len(w) >= 2
            and w[0].isupper()
            and not w.isupper()
            and wl not in STOP
            and wl not in NOT_RESCUED
            and wl not in PARTICLES
            and not _ROMAN.fullmatch(w)
        )

    def typed(self, wl: str) -> bool:
        """Whether ``wl`` (written once in lower case) is written so in a sentence with no capital at all (a text
        message typed that way), which says nothing about how the word is written."""
        if self._typed is None:
            self._typed = set()
            for seg in _SENTENCE_BREAK.split(self.text):
                if seg == seg.lower() and len(words := _TYPED_WORD.findall(seg)) >= 3:
                    self._typed.update(words)
        return wl in self._typed

    def ok(self, w: str) -> bool:
        """Whether ``w`` behaves like a name word in this text."""
        wl = w.lower()
        if w in PARTICLES or w.startswith("of "):
            return True
        ev = self.evidence.get(w) or _Evidence()
        if not w[0].isupper() and ev.labels >= 2 and ev.labels == ev.caps:
            return True  # a user name labelling messages ("**pidgeonhole:** guys", see :mod:`fabula.stages.chat`)
        if len(w) == 1 and w not in "IAO" and self.tag_named[w] >= 1 and ev.caps >= 2:
            return True  # '"Another one," said M.': a letter for a name (not "I", "A", "O")
        if len(w) < 2 or w.isdigit() or not w[0].isupper() or _ROMAN.fullmatch(w):
            return False
        unhyphened = wl.replace("-", "")  # "Good-bye"
        if unhyphened in STOP:
            wl = unhyphened
        if wl in STOP and wl in KIN_NAMES and w[1:].islower():
            return w in self.kin  # "said Mum", "except Mum", "Mum laughed": the story's name for her
        if wl in DEMONYMS and self.tag_named[w] >= 2 and not self.lower.get(wl, 0):
            return True  # "Irish murmured", "Irish agreed": a people's word two dialogue tags give as a nickname
        if wl in STOP:
            # "said May"; "said Hall" where "Mr. Hall" is in the story
            if wl in STOP_NAMES:
                # "River turned to face him": a word the story never writes in lower case, twice the subject of a
                # narration sentence
                return ev.acts() or (self.lower.get(wl, 0) == 0 and ev.init_cued >= 2)
            rescuable = (wl in PLACE_SURNAMES or wl in MONTH_SURNAMES) and w in self.titled
            return rescuable and ev.person_like()
        if wl in self.priors:
            return True
        if w.isupper() and len(w) > 1 and not ev.mid:
            # a script's "PRIYA: Then I'm late." names her, and a ship's computer tagged or addressed twice ("said
            # ARIA", "ARIA, seal deck four"); a shout or a heading does not
            return ev.labels >= 2 or (len(w) >= 3 and ev.cued >= 2 and wl not in self.common)
        if wl.endswith("ly") and len(wl) >= 6 and not ev.noninit and ev.quoted == ev.caps and name_prior(w) is None:
            return False  # "Technically, …", "Honestly, …": an adverb opening lines of dialogue, never mid-sentence
        n_lower = self.lower.get(wl, 0)
        if n_lower > 0.1 * ev.caps and not (n_lower == 1 and (name_prior(w) is not None or self.typed(wl))):
            # "Will", "Hope", "Rose": names in a text full of the words (a first name written once in lower case,
            # or a word written once in a sentence typed all in lower case, is still a name: "tell ruth sorry",
            # "kai is outside ur window")
            # (a word that labels two messages names their sender: "Mia:" where "mia pls" is typed in one)
            # (a word that two dialogue tags give as the speaker's name, written in lower case no more often, is a
            # name: "Ash said" twice in a story with "full of ash" once)
            return (
                wl not in NOT_RESCUED
                and wl not in PARTICLES
                and (ev.person_like() or ev.labels >= 2 or self.tag_named[w] >= max(2, n_lower))
            )
        if wl in self.common and wl not in MALE_NAMES and wl not in FEMALE_NAMES:
            # "Hope sat down. … said Hope": a word the story never writes in lower case, named by a dialogue tag and
            # acting elsewhere
            return ev.noninit >= 2 or (
                n_lower == 0 and (self.kin_named[w] >= 1 or (ev.tagged >= 1 and ev.mid_cued + ev.init_cued >= 2))
            )
        # a known first name the text never writes in lower case may open its sentences ("Kai was leaning")
        return (
            ev.noninit >= 1
            or ev.cued >= 1
            or ev.caps >= 4
            or (w in self.before_aux and self.plain_first_name(w))
        )


def keep_forms(
    text: str, hits: list[NameHit], priors: set[str], lower: Counter[str], kin: Collection[str] = ()
) -> dict[FormKey, Form]:
    """Group hits into forms and keep the ones that behave like person names (``lower``: the text's lower-case
    word counts, :func:`~fabula.stages.characters.names.lower_counts`; ``kin``: family words the story uses as
    names, "Mum", see :func:`~fabula.stages.characters.names.kin_names`)."""
    return _drop_non_persons(text, _group_forms(text, hits, priors, lower, kin), priors)


#: Titles a surname follows, English word or not ("Mrs. Hall", "Lieutenant Park").
_BEFORE_SURNAME = SURNAME_TITLES | SURNAME_RANKS


def _group_forms(
    text: str, hits: list[NameHit], priors: set[str], lower: Counter[str], kin: Collection[str] = ()
) -> dict[FormKey, Form]:
    """Hits grouped by (title, words), each trimmed to its longest run of name words or dropped."""
    name_words = _NameWords(text, hits, priors, lower, kin)
    # Role names written in capitals after "the" ("the Invisible Man", "the Mock Turtle"): kept when repeated,
    # although their words are ordinary English words.
    role_runs: Counter[tuple[str, ...]] = Counter(
        h.words
        for h in hits
        if h.title is None
        and len(h.words) >= 2
        and not h.initial
        and after_the(text, [h])
    )
    # "Big Tom" and "Little Tom", "Old Jolyon" and "Young Jolyon": an epithet written with a capital before a first
    # name, twice and once mid-sentence, is part of a name that tells two people apart, where another epithet goes
    # with the same name ("Long John" alone is John Silver)
    epithet_runs: Counter[tuple[str, ...]] = Counter()
    for h in hits:
        if h.title is None and len(h.words) == 2 and h.words[0].lower() in EPITHETS:
            epithet_runs[h.words] += 1 + 2 * (not h.initial)
    paired = Counter(w[1] for w, n in epithet_runs.items() if n >= 4)
    # "Big Medicine bellowed": a word the story never names without the epithet before it, a dialogue tag giving
    # the two as a speaker, is named with it ("Old Clem", only ever sung to, stays out)
    alone = Counter(w for h in hits if not (len(h.words) == 2 and h.words[0].lower() in EPITHETS) for w in h.words)
    tagged = {h.words for h in hits if h.tagged}
    epithet_runs = Counter(
        {
            w: n
            for w, n in epithet_runs.items()
            if n >= 4 and (paired[w[1]] >= 2 or (not alone[w[1]] and w in tagged))
        }
    )
    forms: dict[FormKey, Form] = {}
    for h in hits:
        words = h.words
        if not words:
            continue
        if name_words.capital_of_place(h):
            continue  # "Long after the voice had died away": "Long" of "Long Tom" capitalised by its place
        if role_runs.get(words, 0) >= 3 and not any(w.lower() in STOP for w in words):
            good = [True] * len(words)
        elif h.title in _BEFORE_SURNAME and len(words) == 1 and words[0].lower() in PLACE_SURNAMES:
            good = [True]  # "Mrs. Hall", "Mr. Hill", "Lieutenant Park": a title makes the word a surname
        else:
            good = [name_words.ok(w) for w in words]
            if h.title is None and len(words) > 1 and all(good[1:]) and name_words.plain_first_name(words[0]):
                good[0] = True  # "Harriet Vane came in": a known first name opening its sentence, before a surname
            elif h.initial and h.title is None and len(words) > 1 and name_words.only_opens(words[0]):
                good[0] = False  # "Hereupon Startop": a word that only ever opens a sentence opens this one
            if words in epithet_runs and good[1] and (name_prior(words[1]) is not None or not alone[words[1]]):
                good[0] = True
            # "Mr. Gray", "Dorian Gray" (in a story full of gray skies, or said twice in dialogue): the last word
            # after a title or a known first name is a surname
            k = len(words) - 1
            after = h.title in _BEFORE_SURNAME if k == 0 else good[k - 1] and name_prior(words[k - 1]) is not None
            if not good[k] and after and name_words.surname(words[k]):
                good[k] = True
        if not all(good):
            # keep the longest good suffix ("Yesterday Ali" → "Ali") when the title is absent
            k = len(words)
            while k > 0 and good[k - 1]:
                k -= 1
            if k == len(words) or h.title is not None:
                continue
            words = words[k:]
            title = h.title
            if len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
                title = words[0].lower().rstrip(".")
                words = words[1:]
            name_words.trim(h, words, title)
        key = (h.title, h.words)
        f = forms.get(key)
        if f is None:
            f = forms[key] = Form(h.title, h.words)
        f.hits.append(h)
    return forms


def _group_address(f: Form) -> bool:
    """"Singers, listen!", "Comrades!": a plural person noun only ever said as a form of address is a group."""
    if f.title is not None or len(f.words) != 1 or not all(h.in_quote and h.vocative for h in f.hits):
        return False
    w = f.words[0].lower()
    return w.endswith("s") and not w.endswith("ss") and name_prior(f.words[0]) is None and personish(w[:-1])


def _drop_non_persons(text: str, forms: dict[FormKey, Form], priors: set[str]) -> dict[FormKey, Form]:
    """The forms that name a person: not families ("the Miss Dashwoods"), places ("in Highbury") or plurals."""
    out = {}
    titled_surnames: dict[str, list[Form]] = defaultdict(list)
    for (t, ws), f in forms.items():
        if t in SURNAME_TITLES and len(ws) == 1:
            titled_surnames[ws[0]].append(f)
    name_words = {w for f in forms.values() for w in f.words}
    for key, f in forms.items():
        if f.title is None and len(f.words) == 1 and _greeting(text, f, name_words):
            continue
        if f.title in SURNAME_TITLES and len(f.words) == 1 and _plural_of(
            text, f, _titled_singular(f.words[0], titled_surnames)
        ):
            continue  # "the Miss Dashwoods", "the Mr. Knightleys": the family, not one person
        if f.title or " ".join(f.words).lower() in priors:
            out[key] = f
            continue
        if _is_place(text, f) or _group_address(f):
            continue
        last = f.words[-1]
        singular = [
            forms[k]
            for k in (
                (f.title, (*f.words[:-1], last[:-1])),
                (f.title, (*f.words[:-1], last[:-2])),
                (None, (last[:-1],)),
                (None, (last[:-2],)),
            )
            if k in forms and k != key
        ]
        if len(f.words) == 1:
            singular += _titled_singular(last, titled_surnames)  # "the Sucklings" and "Mr. Suckling"
        if last.endswith(("ians", "men", "ese")) or _plural_of(text, f, singular):
            continue  # plurals: the Bennets, the Lucases, Russians
        out[key] = f
    return out


_COMMA_NAME = re.compile(r",[ \t\n]+([A-Z][\w'’]*)")


def _greeting(text: str, f: Form, name_words: set[str]) -> bool:
    """An interjection or a foreign word, not a name: it opens its sentence or utterance (all uses but one), and
    at least twice a name follows it after a comma ("Halloa, Pip!", "Hullo, Joan!", "Mais, Madame") — a vocative
    is not followed by another one."""
    word = f.words[0]
    if sum(not h.initial for h in f.hits) > 1:
        return False
    named = 0
    for h in f.hits:
        m = _COMMA_NAME.match(text, h.end, h.end + 40)
        named += m is not None and m.group(1) != word and m.group(1) in name_words
    return named >= 2


def _is_place(text: str, f: Form) -> bool:
    """Person vs place: a form used after "in/at/to/from" twice and more than three times as often as a person."""
    place = 0
    person = 0
    for h in f.hits:
        b = _PREP_BEFORE.search(text, max(0, h.start - 20), h.start)
        if b and b.group(1).lower() in PLACE_PREP:
            place += 1
        if h.cue or h.vocative or h.possessive:
            person += 1
    return place >= 2 and place > 3 * person


def _plural_of(text: str, f: Form, singular: list[Form]) -> bool:
    """Whether ``f`` is the plural of one of the forms ``singular`` ("the Bennets", "the Miss Steeles"): it ends in
    -s, is never possessive, and follows "the" at least half the time or is at most half as frequent."""
    if not singular or not f.words[-1].endswith("s") or any(h.possessive for h in f.hits):
        return False
    return after_the(text, f.hits) * 2 >= len(f.hits) or max(len(g.hits) for g in singular) >= 2 * len(f.hits)


def _titled_singular(plural: str, titled_surnames: dict[str, list[Form]]) -> list[Form]:
    """The titled surnames that ``plural`` is the plural of ("Steeles" → "Miss Steele", "Coxes" → "Mr. Cox")."""
    return titled_surnames.get(plural[:-1], []) + titled_surnames.get(plural[:-2], [])


def after_the(text: str, hits: Iterable[NameHit]) -> int:
    """How many of ``hits`` follow "the " ("the Hatter", "the Miss Steeles")."""
    return sum(1 for h in hits if text[max(0, h.start - 4) : h.start].lower() == "the ")
