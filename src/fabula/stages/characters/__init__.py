"""Characters: person names in fiction, clustered into characters with aliases, gender and mention counts.

Fiction-specific and fast: capitalised-word runs (with honorifics) scanned once over the story text, kept as names
when they behave like names (rarely written in lower case, not only ever sentence-initial unless a cue supports
them: ``said X``, ``X said``, a vocative inside a quotation, a possessive, a following verb). Names used only in
direct address ("…, Ikram.") are found through the vocative cue. Forms are then clustered: first names and full
names, titled surnames (``Mr. Bennet`` ≠ ``Mrs. Bennet`` ≠ ``Jane Bennet``), nicknames (``Lizzy`` → Elizabeth).
AO3 character tags in ``story.meta["characters"]`` act as priors. Unnamed speakers are added later by attribution.

Modules: :mod:`.names` (scanning capitalised runs and their cues), :mod:`.forms` (keeping the forms that behave
like names), :mod:`.identity` (clustering forms into characters), :mod:`.gender` (a character's gender: titles,
then a learned decision over the narration's pronouns), :mod:`.persons` (is this name a person). Word lists live in
:mod:`fabula.lexicon`.
"""

from __future__ import annotations

import re

from fabula.lexicon import ARTICLE_TITLES, MARRIED, NOBLE_TITLES, READER_NAME
from fabula.pipeline import Stage
from fabula.spans import SpanIndex
from fabula.stages.characters.forms import Form, FormKey, after_the, common_words, keep_forms
from fabula.stages.characters.gender import GenderContext, GenderModel
from fabula.stages.characters.identity import Entity, clipped, cluster
from fabula.stages.characters.names import (
    NameHit,
    caps_key,
    caps_mentions,
    is_vocative,
    kin_names,
    lower_counts,
    mark_cues,
    quote_index,
    scan_names,
)
from fabula.stages.characters.persons import PersonModel, form_features, load_model
from fabula.stages.chat import label_starts
from fabula.story import Character, Mention, Story

__all__ = [
    "STAGE",
    "Entity",
    "Form",
    "NameHit",
    "cluster",
    "common_words",
    "is_vocative",
    "run",
    "scan_names",
]


#: A user name that labels messages in lower case ("pidgeonhole", "xx_lana_xx").
_HANDLE = re.compile(r"[a-z0-9_][\w.-]*")


def _ao3_priors(story: Story) -> list[str]:
    """Character names from AO3 tags and relationship pairs, parenthesised fandoms removed."""
    names: list[str] = []
    tags = story.meta.get("characters")
    if isinstance(tags, list):
        names.extend(str(t) for t in tags)
    pairs = story.meta.get("relationship_pairs")
    if isinstance(pairs, list):
        for p in pairs:
            if isinstance(p, (list, tuple)):
                names.extend(str(x) for x in p)
            elif isinstance(p, str):
                names.extend(x.strip() for x in re.split(r"[/&]", p))
    return [re.sub(r"\s*\(.*?\)\s*", " ", n).strip() for n in names if n and n.strip()]


def _tag_names(chars: list[Character], tags: list[str]) -> None:
    """An AO3 character tag gives the full name: a tag "Anna Karlsson" makes the one character called "Anna" (or
    "Karlsson") in a story that never writes the full name Anna Karlsson."""
    for tag in dict.fromkeys(tags):
        words = tag.split()
        if len(words) < 2 or any(tag in c.aliases or c.name == tag for c in chars):
            continue
        holders = [c for c in chars if {words[0], words[-1]} & {c.name, *c.aliases}]
        if len(holders) == 1:
            c = holders[0]
            c.aliases = sorted({*c.aliases, c.name, tag})
            c.name = tag


def _people(
    story: Story,
    entities: list[Entity],
    priors: set[str],
    cut: float,
    model: PersonModel | None = None,
) -> list[tuple[Entity, float]]:
    """The entities the person model (:mod:`.persons`; the shipped one unless ``model``) takes for people, with
    the occurrence-weighted mean of their forms' probabilities: it reaches ``cut``, or a form is an AO3 character
    tag."""
    model = model or load_model()
    pairs = [(f.text, [(h.start, h.end) for h in f.hits]) for e in entities for f in e.forms]
    probs = iter(model.predict_proba(form_features(story, pairs)).tolist() if pairs else [])
    out = []
    for e in entities:
        weighted = [(next(probs), len(f.hits)) for f in e.forms]
        n = sum(k for _, k in weighted)
        p = sum(pr * k for pr, k in weighted) / n if n else 0.0
        # a name that a dialogue tag gives as the speaker ('"…," asked Myra') is someone who speaks; a title of
        # nobility with its place ("the Duchess of Harley") is someone
        if (
            p >= cut
            or any(h.tagged for f in e.forms for h in f.hits)
            or any(f.text.lower() in priors for f in e.forms)
            or any(f.title in NOBLE_TITLES and f.words[-1].startswith("of ") for f in e.forms)
        ):
            out.append((e, p))
    return out


def _named_after(text: str, e: Entity) -> bool:
    """An inn, ship or house named after someone: a titled name written after "the" in most of its uses ("the
    Admiral Benbow"). People take the article only before a few titles ("the Reverend Mr. Collins", "the late Mr.
    Dashwood") and noble ones ("the Duchess of Monmouth"). Or a ship's or a book's name in capitals (below)."""
    titled = [
        h
        for f in e.forms
        if f.title is not None and f.title not in ARTICLE_TITLES and not any(w.startswith("of ") for w in f.words)
        for h in f.hits
    ]
    if len(titled) >= 3 and after_the(text, titled) >= 0.5 * e.count:
        return True
    # "the HISPANIOLA": a name the story only ever writes in capitals (a printed book's italics: a ship, a book),
    # mostly after "the", that no dialogue tag gives as a speaker and nobody addresses
    hits = [h for f in e.forms for h in f.hits]
    return (
        len(hits) >= 3
        and all(text[h.start : h.end].split()[-1].isupper() for h in hits)
        and after_the(text, hits) >= 0.5 * len(hits)
        and not any(h.tagged or h.vocative for h in hits)
    )


#: The person model's probability below which a name is not taken for a character. Lower than the model's own
#: 0.5 (which balances precision and recall of name forms): dropping a real speaker costs more than listing a place.
#: Swept with the boosted-tree model on the 14 open PDNC dev novels (in sample; 0.2 / 0.3 / 0.4 / 0.5): strict
#: speaker accuracy 0.8556 / 0.8554 / 0.8543 / 0.8487, cast precision 0.70 / 0.73 / 0.76 / 0.78, speaking recall
#: 0.80 / 0.79 / 0.77 / 0.77, cast 1.04x / 0.97x / 0.91x / 0.87x the gold list.
PERSON_THRESHOLD = 0.3

#: A character who turns out to be only mentioned (no quotation, nobody's addressee: attribution decides) is
#: kept in ``story.mentioned`` only at this probability: with no speech to weigh, the model's own balance.
#: Leave-texts-out on LitBank (``fabula eval characters litbank --folds 5``), proper-name person F1 0.844 with
#: the one cut of 0.3 for every name, 0.86x with this one for names only mentioned (see the closing notes).
MENTIONED_THRESHOLD = 0.5


def doubted(c: Character | None) -> bool:
    """Whether the person model doubts ``c`` (``Character.person`` under :data:`MENTIONED_THRESHOLD`: a place or a
    thing kept in case it spoke, "Relax" a name only by its capital); no decision is no doubt."""
    return c is not None and c.person is not None and c.person < MENTIONED_THRESHOLD


def candidate_forms(
    story: Story, priors: set[str], gender_model: GenderModel | None = None
) -> tuple[dict[FormKey, Form], GenderContext]:
    """The name forms of ``story`` that behave like names (before the person model; ``priors``: lower-cased AO3
    character names and their words), and the context that genders the characters made of them (:mod:`.gender`,
    with ``gender_model``, by default the shipped one)."""
    text = story.text
    lower = lower_counts(text)
    hits = scan_names(story, lower)
    mark_cues(text, hits)
    labels = label_starts(text, [q for q in story.quotes if q.type != "mention"])
    for h in hits:
        if h.start in labels:
            h.tagged = h.cue = h.label = True  # "Jess: omw" names who sends the message
    # a user name in lower case ("**pidgeonhole:** guys") is a name where it labels messages
    named = {h.start for h in hits}
    for start in sorted(labels - named):
        handle = _HANDLE.match(text, start)
        if handle is not None:
            words = (handle.group(),)
            hits.append(NameHit(start, handle.end(), None, words, True, False, cue=True, tagged=True, label=True))
    hits.sort(key=lambda h: h.start)
    forms = keep_forms(text, hits, priors, lower, kin_names(story, hits))
    starts = (h.start for f in forms.values() for h in f.hits)
    return forms, GenderContext.of(story, quote_index(story), starts, gender_model)


def run(
    story: Story,
    *,
    persons: bool = True,
    person_threshold: float = PERSON_THRESHOLD,
    person_model: PersonModel | None = None,
    gender_model: GenderModel | None = None,
) -> None:
    """Find the named characters and their name mentions (``story.characters``, ``story.mentions``).

    ``persons``: keep only the names the learned person model takes for people (places, inns, ships, books and
    interjections are dropped below ``person_threshold``; each character's probability is kept as
    ``Character.person``); ``False`` keeps every name that behaves like one.
    ``person_model``, ``gender_model``: those models (default: the shipped ones; ``fabula eval --folds`` passes
    them per held-out text)."""
    text = story.text
    priors_full = _ao3_priors(story)
    priors = {p.lower() for p in priors_full} | {w.lower() for p in priors_full for w in p.split()}
    if any(s.person == "second" for s in story.sections):
        priors.add(READER_NAME.lower())  # "Y/N": the reader of a reader-insert story (not "Smoker? Y/N" on a form)
    forms, gender = candidate_forms(story, priors, gender_model)
    qi = gender.quotes
    entities = cluster(text, forms, qi, gender)
    prob: dict[int, float] = {}
    if persons:
        kept = _people(story, entities, priors, person_threshold, person_model)
        entities = [e for e, _ in kept if not _named_after(text, e)]
        prob = {id(e): p for e, p in kept}
    entities = _join_caps(entities)
    entities.sort(key=lambda e: min(h.start for f in e.forms for h in f.hits))
    chars: list[Character] = []
    mentions: list[Mention] = []
    for k, e in enumerate(entities):
        cid = f"c{k}"
        aliases = sorted(
            {f.text for f in e.forms}
            | {" ".join(f.words) for f in e.forms if len(f.words) > 1 and f.title not in MARRIED}
        )
        name = display_name(e)
        # Role names: "the Hatter", "the General", "the Mock Turtle" are mostly used with the article.
        hits = [h for f in e.forms if f.title is None and " ".join(f.words) == name for h in f.hits]
        with_the = after_the(text, hits)
        if hits and with_the * 2 >= len(hits) and with_the >= 2:
            name = "the " + name
            aliases.append(name)
        chars.append(
            Character(
                id=cid, name=name, aliases=aliases, gender=e.gender, mentions=e.count, person=prob.get(id(e))
            )
        )
        for f in e.forms:
            for h in f.hits:
                mentions.append(Mention(h.start, h.end, cid, "name"))
    if persons:  # (the person model's training reads every candidate form, and capitals add none)
        _add_caps(story, chars, mentions)
    mentions.sort(key=lambda m: m.start)
    _tag_names(chars, priors_full)
    story.characters = chars
    story.mentions = mentions


def _join_caps(entities: list[Entity]) -> list[Entity]:
    """A character known only by names in capitals ("“TOM!”") is the one that writes the same name otherwise
    ("Tom"), when exactly one does."""
    home: dict[tuple[str, ...], list[Entity]] = {}
    shouted = [e for e in entities if all(w.isupper() for f in e.forms for w in f.words)]
    loud = {id(e) for e in shouted}
    for e in entities:
        if id(e) not in loud:
            for key in {caps_key(f.text.split()) for f in e.forms}:
                home.setdefault(key, []).append(e)
    gone: set[int] = set()
    for e in shouted:
        found = {id(o): o for f in e.forms for o in home.get(caps_key(f.text.split()), [])}
        if len(found) == 1:
            to = next(iter(found.values()))
            to.forms.extend(e.forms)
            to.variants.extend(e.forms)  # never its display name (see identity.display_name)
            gone.add(id(e))
    return [e for e in entities if id(e) not in gone]


def _add_caps(story: Story, chars: list[Character], mentions: list[Mention]) -> None:
    """Mentions of the characters' names written in capitals (see :func:`.names.caps_mentions`)."""
    by_key: dict[tuple[str, ...], str | None] = {}
    for c in chars:
        for alias in {c.name.removeprefix("the "), *c.aliases}:
            key = caps_key(alias.split())
            by_key[key] = c.id if by_key.get(key, c.id) == c.id else None
    forms = {k: v for k, v in by_key.items() if v is not None}
    taken = SpanIndex.of((m.start, m.end) for m in mentions)
    count = {c.id: c for c in chars}
    for start, end, cid in caps_mentions(story, forms, taken, lower_counts(story.text)):
        mentions.append(Mention(start, end, cid, "name"))
        count[cid].mentions += 1


def display_name(e: Entity) -> str:
    """The most natural full form: the most frequent multi-word form, else the most frequent form. A full form
    met once in a character's many mentions ("the Parian Psyche Laurie gave…") is a misread, not their name."""
    # "Sarge", said to him again and again, is what he is called, not his name
    named = [f for f in e.forms if f not in e.variants]
    forms = [f for f in named if not clipped(f)] or named or e.forms
    total = sum(len(f.hits) for f in forms)
    multi = [f for f in forms if len(f.words) >= 2 and (len(f.hits) >= 2 or len(f.hits) >= 0.2 * total)]
    # a full name ends in the word the story calls them by most ("John Silver", not "Long John", when "Silver"
    # is what the narration says)
    singles = [f for f in forms if len(f.words) == 1]
    if multi and singles:
        main = max(singles, key=lambda f: len(f.hits)).words[0]
        multi = [f for f in multi if f.words[-1] == main] or multi
    pool = multi or forms
    best = max(pool, key=lambda f: (len(f.hits), f.title is not None))
    if not multi:
        return best.text
    # Prefer the untitled full name when it is used at all ("Elizabeth Bennet" over "Miss Elizabeth Bennet").
    bare = [f for f in multi if f.title is None and f.words == best.words]
    return bare[0].text if bare else best.text


STAGE = Stage(
    name="characters",
    func=run,
    reads=("text", "meta", "nonstory", "paragraphs", "sentences", "tokens", "sections", "quotes"),
    writes=("characters", "mentions"),
)
