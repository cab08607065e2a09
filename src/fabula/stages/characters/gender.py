"""A character's gender from its name forms: gendered titles, then the pronouns after narration mentions, then a
first-name prior (used by :mod:`.identity` while forms are clustered)."""

from __future__ import annotations

import re
from collections import Counter

from fabula.lexicon import name_prior, title_gender
from fabula.spans import SpanIndex
from fabula.stages.characters.forms import Form

_PRON = re.compile(r"\b(he|himself|she|herself)\b", re.IGNORECASE)


def _pronoun_votes(text: str, form: Form, qi: SpanIndex[int]) -> Counter[str]:
    """Gender votes from the first third-person pronoun after each narration mention (same or next sentence)."""
    votes: Counter[str] = Counter()
    for h in form.hits[:60]:
        if h.in_quote:
            continue
        window = text[h.end : h.end + 80]
        m = _PRON.search(window)
        if not m:
            continue
        if qi.containing(h.end + m.start()) >= 0:
            continue
        votes["m" if m.group(1).lower() in ("he", "himself") else "f"] += 1
    return votes


def gender_of(text: str, fs: list[Form], qi: SpanIndex[int]) -> str | None:
    """A character's gender from its forms: gendered titles by mentions, else narration pronouns weighed against
    the first-name prior (quotations ``qi`` excluded), else the prior alone."""
    tvotes: Counter[str] = Counter()
    for f in fs:
        g = title_gender(f.title)
        if g is None and f.title is None and len(f.words) == 1:
            g = title_gender(f.words[0].lower())  # "the General", "the Baroness"
        if g:
            tvotes[g] += len(f.hits)
    if tvotes:
        return tvotes.most_common(1)[0][0]
    votes: Counter[str] = Counter()
    for f in fs:
        votes.update(_pronoun_votes(text, f, qi))
    tot = votes["m"] + votes["f"]
    first = next((f.words[0] for f in fs if len(f.words) >= 1), None)
    prior = name_prior(first) if first else None
    strong = 0.9 if prior else 0.7
    if tot >= (10 if prior else 3) and max(votes["m"], votes["f"]) >= strong * tot:
        return "m" if votes["m"] > votes["f"] else "f"
    if prior:
        return prior
    if tot >= 1 and votes["m"] != votes["f"]:
        return "m" if votes["m"] > votes["f"] else "f"
    return None
