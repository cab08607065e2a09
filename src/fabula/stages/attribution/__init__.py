"""Who says what to whom: speakers, addressees, quote types, confidences and named first-person narrators.

A sieve over each quotation, in order of reliability (:mod:`.sieve`): explicit tags next to the quotation and
introductions whose subject stands further off (:mod:`.evidence`), with pronouns and descriptions resolved to the
right character (:mod:`.resolve`); continuation within a paragraph; action beats; conversation turn-taking.

First-person narrators are then named from vocatives addressed to them by the other characters, self
introductions, and the other POV sections (:mod:`.narrators`).

On top of the rules, a small learned ranker (:mod:`.ranker`, features in :mod:`.features`, a conversation decode
in :mod:`.decode`) re-scores the candidates of every quotation whose speaker came from turn-taking or a pronoun;
named tags and action beats stand. ``quote.confidence`` is the ranker's calibrated probability, or, without the
ranker, the rule's accuracy measured on PDNC (``RULES``).

Configuration is passed to :func:`run`: ``model`` (a ranker as loaded from JSON; None for the shipped one of the
text's kind: the chapter ranker under ``CHAPTER_WORDS`` words, the book ranker above) and ``use_model`` (False: the
rules alone).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Collection
from typing import Any

from fabula.lexicon import SPEECH_VERBS, TITLES
from fabula.pipeline import Stage
from fabula.spans import SpanIndex
from fabula.stages.attribution.decode import DECODE_WEIGHTS, Turn, decode_conversation
from fabula.stages.attribution.evidence import WORD, WORD_AFTER, Ref, StoryIndex
from fabula.stages.attribution.features import FEATURE_TABLE, FEATURES, candidates_and_features
from fabula.stages.attribution.narrators import (
    first_person_sections,
    name_narrators,
    name_roles,
    narrator_gender,
    refine_first_person,
)
from fabula.stages.attribution.ranker import (
    PROTECTED_RULES,
    load_model,
    pairwise,
    rank_round,
    rerank,
    score_rows,
    text_kind,
)
from fabula.stages.attribution.resolve import UNNAMED
from fabula.stages.attribution.sieve import addressees, attribute, backfill, collect
from fabula.stages.attribution.state import RULES, AttributionState, QuoteState
from fabula.stages.characters import doubted
from fabula.stages.characters.names import deity_mentions
from fabula.stages.characters.persons import ACTION_VERBS
from fabula.story import SPEAKER_KEPT, Character, Mention, Story


def run(story: Story, *, model: dict[str, Any] | None = None, use_model: bool = True) -> None:
    """Attribute every quotation of ``story``: the rule passes, then the ranker ``model`` (None: the shipped one for
    the length of the story without its non-story blocks, :func:`.ranker.text_kind`; ``use_model=False``: the
    rules alone), then narrators and roles named and the results written to the story."""
    st = rule_pass(story)
    kind = text_kind(story.text, ((n.start, n.end) for n in story.nonstory))
    ranker = (model if model is not None else load_model(kind)) if use_model else None
    if ranker is not None:
        rerank(st, ranker)
    finish(st)


def rule_pass(story: Story) -> AttributionState:
    """The rule passes only (for training the ranker): returns the state with its per-quote evidence and picks."""
    ix = StoryIndex(story)
    st = AttributionState(ix, first_person_sections(ix))
    collect(st)
    refine_first_person(st)
    attribute(st)
    if any(st.narr_ids):
        # Second pass with the narrators named, so that vocatives addressed to them exclude them as speakers.
        mapping = name_narrators(st)
        st.narr_ids = [mapping.get(n, n) if n else None for n in st.narr_ids]
        for x in st.qs:
            x.speaker, x.rule = None, "none"
        attribute(st)
    backfill(st)
    return st


def finish(st: AttributionState) -> None:
    """Name roles and narrators, then write speakers, addressees, quote types, confidences, new characters and
    tag mentions to the story."""
    story = st.story
    roles = name_roles(st)
    if roles:
        chars = {c.id: c for c in story.characters}
        for x in st.qs:
            if x.speaker in roles:
                x.speaker = roles[x.speaker]
        for c in st.new_chars:
            if c.id in roles:
                named = chars[roles[c.id]]
                named.aliases = [*named.aliases, *(a for a in c.aliases if a not in named.aliases)]
        st.new_chars = [c for c in st.new_chars if c.id not in roles]
    mapping = dict(st.narr_named) if st.narr_named is not None else name_narrators(st)
    for n in st.narr_ids:
        if n is not None and not n.startswith("narrator"):
            mapping[n] = n
    # Narrators left unnamed become characters of their own (one per run of sections).
    shared: str | None = None
    for ph in st.narr_ids:
        if ph is None or ph in mapping:
            continue
        if shared is None:
            shared = ph
            st.new_chars.append(Character(id=ph, name="the narrator", aliases=["I"], narrator=True))
        mapping[ph] = shared
    story.characters.extend(st.new_chars)
    chars = {c.id: c for c in story.characters}
    for k, ph in enumerate(st.narr_ids):
        if ph is not None:
            story.sections[k].narrator = mapping[ph]
            chars[mapping[ph]].narrator = True
    for x in st.qs:
        if x.speaker in mapping:
            x.speaker = mapping[x.speaker]
        # A speaker never addresses themselves: with the narrator named, fix "…, Ikram." said by Ikram. A name tag
        # outweighs the vocative: '"Margaret Ann, of Brentford! Josiah Crane, master!" Crane called back' names himself.
        if x.speaker is not None and x.speaker in x.vocatives and x.rule != "tag_name":
            alt = [c for c in st.participants(x.index) if c != x.speaker and c not in x.vocatives]
            if alt:
                x.speaker, x.rule = alt[0], "turn_taking"
    addressees(st)
    counts: Counter[str] = Counter()
    for x in st.qs:
        q = x.quote
        q.addressees = [mapping.get(a, a) for a in q.addressees if mapping.get(a, a) != x.speaker]
        # words nobody utters aloud and speech only reported keep that type, and the speaker whose they are
        kept = q.type if q.type in SPEAKER_KEPT else None
        if x.nobody or x.speaker is None:
            q.speaker, q.confidence = None, 0.9 if x.epigraph else 0.0
            q.type = kept or ("group" if x.group else "none")
            continue
        q.speaker = x.speaker
        qtype, conf = RULES[x.rule]
        if x.tag is not None and x.tag.kind == "pronoun" and qtype == "explicit":
            qtype = "anaphoric"  # a role found for "he said" (sieve._described_before): the tag is a pronoun still
        if x.learned_confidence is not None:
            conf = round(x.learned_confidence, 3)
        q.type, q.confidence = kept or qtype, conf
        counts[x.speaker] += 1
        if x.tag is not None and x.rule.startswith("tag"):
            kind = {"name": "name", "pronoun": "pronoun", "narrator": "narrator"}.get(
                x.tag.kind, "nominal"
            )
            wm = WORD.match(st.text, x.tag.pos)
            if kind != "name" and wm is not None:
                end = x.tag.pos + len(wm.group().rstrip("."))
                st.extra_mentions.append(Mention(x.tag.pos, end, x.speaker, kind))  # type: ignore[arg-type]
    for c in story.characters:
        c.quotes = counts.get(c.id, 0)
        if c.narrator and c.gender is None:
            c.gender = narrator_gender(st, c.id)
    story.mentions = sorted([*story.mentions, *st.extra_mentions], key=lambda m: (m.start, m.end))
    join_nicknames(st)
    join_self_names(st)
    split_mentioned(story, {c.id for c in st.new_chars if not c.narrator})
    add_deities(story)


def join_nicknames(st: AttributionState, least: int = 3, share: float = 0.6) -> None:
    """A name that only quotations use, always as a form of address ("my dear Handel"), is the nickname of the
    one who answers them: at least ``least`` replies, ``share`` of them by one person of no other gender (Herbert
    calls Pip "Handel"). A tagged line that uses the name answers the one a tag gave the line before it, which
    counts as a reply too; a reply given to the name itself (turn-taking after a form of address) counts for
    nothing. The nickname joins that character: its mentions, lines and addresses become theirs. A name
    the narration uses as well joins only as a title and surname said to one known by a first name alone ("Miss
    Honeychurch", answered by Lucy)."""
    story, qs = st.story, st.qs
    narrated = {m.character for m in story.mentions if m.kind == "name" and not st.ix.in_quote(m.start)}
    votes: dict[str, Counter[str]] = {}
    for x, nxt in itertools.pairwise(qs):
        q, reply = x.quote, nxt.quote.speaker
        if nxt.para > x.last_para and reply not in (None, q.speaker):
            for a in q.addressees:
                if a != reply:  # a reply given to the one addressed (vocative_reply) is no evidence
                    votes.setdefault(a, Counter())[reply] += 1
        # the line that names someone answers the one who spoke just before, when a tag says who that was
        before = x.speaker if x.rule.startswith("tag") or x.rule == "beat" else None
        if before is not None and nxt.para > x.last_para and before != nxt.speaker and nxt.rule.startswith("tag"):
            for a in nxt.vocatives:
                if a != before:
                    votes.setdefault(a, Counter())[before] += 1
    chars = {c.id: c for c in story.characters}
    join: dict[str, str] = {}
    for a, v in votes.items():
        (who, n), c = v.most_common(1)[0], chars.get(a)
        if c is None or c.narrator or who == a or who not in chars or n < least or n < share * sum(v.values()):
            continue
        if a in narrated and not (_bare(c) == 1 and _bare(chars[who]) == 0):
            continue  # a name the narration uses too: only "Miss Honeychurch" said to one known by her first name
        if c.name.lower().rstrip(".") in TITLES or not c.name[:1].isupper():
            continue  # "Madame" or "the croupier", said to whoever is addressed: no one's nickname
        if st.gender_ok(who, c.gender) and (chars[who].gender is None or c.gender in (None, chars[who].gender)):
            join[a] = who
    _merge(story, join)


def _merge(story: Story, join: dict[str, str]) -> None:
    """Fold each character ``a`` of ``join`` into ``join[a]``: names, lines, mentions and addresses."""
    if not join:
        return
    chars = {c.id: c for c in story.characters}
    for a, who in join.items():
        home = chars[who]
        home.aliases = sorted({*home.aliases, chars[a].name, *chars[a].aliases})
        home.quotes += chars[a].quotes
        home.mentions += chars[a].mentions
    for q in story.quotes:
        q.speaker = join.get(q.speaker, q.speaker) if q.speaker else None
        q.addressees = list(dict.fromkeys(join.get(b, b) for b in q.addressees if join.get(b, b) != q.speaker))
    for m in story.mentions:
        if m.character in join:
            m.character = join[m.character]
    story.characters = [c for c in story.characters if c.id not in join]


def join_self_names(st: AttributionState, least: float = 0.5) -> None:
    """One who names themselves in a line ("my name is …", "call me …", an answer to "What is your real name?";
    the sieve's ``QuoteState.self_named``) under a name the cast holds as another character is that character:
    the two join, under the full name if one is ("Provis" says he is "Magwitch, christened Abel"), else the name
    with more lines and mentions. The other name is the tag's: a name tag ('"Call me Tom," said Fenn') or, for a
    line the sieve gave to the name it gives, whom the tag's pronoun stands for ("Magwitch," he answered). Only
    for a tagged line (turn order alone misleads) whose tag is sure (a tag's speaker of confidence at least
    ``least``, or a pronoun the narration resolves), of a compatible gender, when the named one has not spoken in
    this conversation before and neither is a narrator."""
    story = st.story
    chars = {c.id: c for c in story.characters}
    join: dict[str, str] = {}
    for i, x in enumerate(st.qs):
        q, other, named = x.quote, x.self_named, x.rule == "self_named"
        s = x.alias_of if named else q.speaker if x.rule.startswith("tag") else None
        # for a line given to the name it gives, only an answer to a question for a name says whom the tag's
        # pronoun stands for ('"My name is Mrs. Munt," she said' follows talk of others); "I'm …" joins no one
        joins = ("answer",) if named else ("answer", "named")
        if other is None or x.self_how not in joins or s is None or s == other:
            continue
        if not named and (q.confidence or 0.0) < least:
            continue
        if s not in chars or other not in chars or chars[s].narrator or chars[other].narrator:
            continue
        a, b = chars[s], chars[other]
        if a.gender and b.gender and a.gender != b.gender:
            continue
        lo, _ = st.conversation(i)
        # both spoke in this conversation before the naming: two people (a line the sieve gave to the name it
        # gives counts when a tag gave the earlier line: the turns around it may follow it)
        if any(st.qs[j].quote.speaker == other and (not named or st.qs[j].rule == "tag_name") for j in range(lo, i)):
            continue
        small, big = sorted((a, b), key=lambda c: (_full_name(c), c.quotes + c.mentions, c.id == s))
        join[small.id] = big.id
    # a chain (A into B, B into C) folds into its end
    for k in list(join):
        seen = {k}
        while join[k] in join and join[k] not in seen:
            seen.add(join[k])
            join[k] = join[join[k]]
    _merge(story, {k: v for k, v in join.items() if k != v})


def _untitled(name: str) -> tuple[str, ...]:
    """The words of a name without its titles ("Mr. Abel Magwitch" → Abel, Magwitch)."""
    return tuple(w for w in name.split() if w.lower().rstrip(".") not in TITLES)


def _full_name(c: Character) -> bool:
    """A first name and a surname ("Abel Magwitch"), not one word after a title ("Mr. Provis")."""
    return len(_untitled(c.name)) >= 2


def _bare(c: Character) -> int:
    """1 when every name of ``c`` is one surname after a title ("Miss Honeychurch", "Honeychurch"), 0 when every
    name is one first name ("Lucy", "Miss Lucy"), else -1."""
    words = {_untitled(n) for n in (c.name, *c.aliases)}
    if any(len(w) != 1 for w in words):
        return -1
    titled = any(len(n.split()) > 1 for n in (c.name, *c.aliases))
    if len(words) == 1 and titled and c.name.split()[0].lower().rstrip(".") in ("mr", "mrs", "miss", "ms"):
        return 1
    first = all(len(n.split()) == 1 or n.split()[0].lower().rstrip(".") == "miss" for n in (c.name, *c.aliases))
    return 0 if first else -1


#: A verb right after a name in the narration ("Kat comes out", "Noor nods", "Hannah had brought"): a lower-case
#: word ending in -s or -ed, an auxiliary, or a speech or human-action verb ("Hannah read it").
_VERB_AFTER = re.compile(
    r"[ \t]+(?:[a-z]+(?:s|ed)|is|was|had|has|did|does|would|could|will|can|might|must|should|shall|may)\b"
)
#: How many such uses make a character one who acts in the story.
ACTS_MIN = 2


def actors(story: Story) -> set[str]:
    """The characters the narration makes the subject of a verb at least :data:`ACTS_MIN` times (name mentions
    outside quotations): people who act in the story, though they may never speak."""
    quoted = SpanIndex.of((q.start, q.end) for q in story.quotes)
    uses: Counter[str] = Counter()
    text = story.text
    for m in story.mentions:
        if m.kind != "name" or not m.character or quoted.containing(m.start) >= 0:
            continue
        w = WORD_AFTER.match(text, m.end)
        if w and (_VERB_AFTER.match(text, m.end) or w.group(1) in ACTION_VERBS or w.group(1) in SPEECH_VERBS):
            uses[m.character] += 1
    return {c for c, n in uses.items() if n >= ACTS_MIN}


def split_mentioned(story: Story, made: Collection[str] = ()) -> None:
    """Move the characters who are only mentioned (no quotation, nobody's addressee, no narrator, never the subject
    of the narration's verbs (:func:`actors`): historical figures, authors, gods) from ``story.characters`` to
    ``story.mentioned``; their mentions keep their id. One the person model doubts (``Character.person`` under ``MENTIONED_THRESHOLD``: a place or a thing that was kept
    in case it spoke), or one of ``made``, the descriptions attribution made speakers of ("the man", "my sister")
    that ended with no line, is dropped with its mentions. A doubted name only ever addressed ("Where? Grimpen.")
    is no participant: it leaves the cast and the quotations' addressees."""
    doubts = {c.id for c in story.characters if doubted(c)}
    addressed = {a for q in story.quotes for a in q.addressees if a not in doubts}
    acting = actors(story) - doubts
    cast = [c for c in story.characters if c.quotes or c.narrator or c.id in addressed or c.id in acting]
    kept = {c.id for c in cast}
    only = [c for c in story.characters if c.id not in kept]
    gone = {c.id for c in only if c.id in doubts or c.id in made}
    story.mentioned = [*story.mentioned, *(c for c in only if c.id not in gone)]
    story.characters = cast
    out = {c.id for c in only}
    for q in story.quotes:
        q.addressees = [a for a in q.addressees if a not in out]
    if gone:
        story.mentions = [m for m in story.mentions if m.character not in gone]


def add_deities(story: Story) -> None:
    """Gods the story names ("God knows", "by Jove") join ``story.mentioned`` with their mentions: people of the
    story's world (LitBank annotates them so) who are never in the cast, speak no line and are nobody's addressee.
    A name that is already a character's is left to that character."""
    known = {a for c in (*story.characters, *story.mentioned) for a in (c.name, *c.aliases)}
    taken = SpanIndex.of((m.start, m.end) for m in story.mentions)
    found = [(name, spans) for name, spans in sorted(deity_mentions(story, taken).items()) if name not in known]
    for k, (name, spans) in enumerate(found):
        cid = f"g{k}"
        story.mentioned.append(Character(id=cid, name=name, aliases=[name], mentions=len(spans)))
        story.mentions.extend(Mention(a, b, cid, "name") for a, b in spans)
    if found:
        story.mentions.sort(key=lambda m: (m.start, m.end))


STAGE = Stage(
    name="attribution",
    func=run,
    reads=("text", "nonstory", "paragraphs", "sections", "quotes", "characters", "mentions"),
    writes=(
        "quotes.speaker", "quotes.addressees", "quotes.type", "quotes.confidence", "characters",
        "characters.narrator", "characters.quotes", "sections.narrator", "mentions", "mentioned",
    ),
)

__all__ = [
    "DECODE_WEIGHTS",
    "FEATURES",
    "FEATURE_TABLE",
    "PROTECTED_RULES",
    "RULES",
    "STAGE",
    "UNNAMED",
    "AttributionState",
    "QuoteState",
    "Ref",
    "Turn",
    "candidates_and_features",
    "decode_conversation",
    "finish",
    "load_model",
    "pairwise",
    "rank_round",
    "rerank",
    "rule_pass",
    "run",
    "score_rows",
    "split_mentioned",
    "text_kind",
]
