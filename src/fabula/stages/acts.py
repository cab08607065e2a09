"""Dialogue acts: one act per utterance from rules and lexicons (regex; no model).

Acts: question, request, command, refusal, apology, accusation, declaration, threat, agreement, thanks,
statement. A *plea* (begging: "please don't", "I implore you", "don't leave me") is a kind of request:
:func:`classify` returns ``act="request", plea=True`` and the stage stores ``quote.act = "plea"`` so later
layers (dynamics) can tell it apart; fold it back into ``request`` for the eleven-way count.

How an act is chosen: every rule that fires adds a weight to its act and names itself in ``cues``; the act
with the highest total wins (ties go to the earlier act in ``PRIORITY``); ``statement`` is the floor. Rules
look at the utterance and, for the answer-like acts, at the previous utterance by another speaker:

* "No." / "I can't." after a request, an order or a wish ("I want to leave.") is a refusal; after a
  question or a statement it is an answer (statement).
* "Yes." / "Fine." / "All right." is agreement (after a question too: an affirmative answer).
* "I do." after an utterance about love is a declaration.

Labelling guide (what the eval set means by each act; one act per utterance, its dominant function):
question = asks for information (also rhetorical, and "I beg your pardon?"); request = asks the addressee
to act, softened or indirect ("Can we talk?", "please", "I want you to", "let's", invitations, proposals,
"I want to leave." said to the person who must agree); command = a bare order or prohibition ("Just go.",
"Fucking prove it": the profanity is anger, the act is still an order; the emotion layer carries the anger);
refusal = declines a request, order, offer or proposal; apology = "sorry"/"forgive me"/admitting one's own
fault (not "sorry for him", which is sympathy); accusation = blames or reproaches someone ("You're hurting
me", "How could you", insults); declaration = declares love or a strong feeling for the addressee, marriage
proposals included; threat = announces harm, usually conditional; agreement = yes, consent, compliance,
affirmative answers; thanks = gratitude (not the "thank you" tacked onto "I'm well"); statement = the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fabula.pipeline import Stage
from fabula.story import Quote, Story

ACTS: tuple[str, ...] = (
    "question",
    "request",
    "command",
    "refusal",
    "apology",
    "accusation",
    "declaration",
    "threat",
    "agreement",
    "thanks",
    "statement",
)
#: Tie-break order (the more specific act first).
PRIORITY: tuple[str, ...] = (
    "threat",
    "refusal",
    "apology",
    "thanks",
    "declaration",
    "accusation",
    "agreement",
    "request",
    "command",
    "question",
    "statement",
)
STATEMENT_FLOOR = 1.0

_I = re.IGNORECASE

# ------------------------------------------------------------------------------------------------ lexicons

#: Verbs that open an imperative sentence ("Go.", "Prove it.", "Let me go.").
_IMPERATIVE_WORDS = """
    go come stop look listen let tell give take get keep leave sit stand wait turn call send bring make put
    hold prove shut answer mind remember hurry run say show try read write beware hush stay follow fetch
    consider speak explain forget help kiss move open close pick drop eat drink hear see release loosen quit
    calm trust promise swear marry fly hide kill shoot catch throw pass pay ask find bear mark behold fancy
    imagine suppose observe allow permit spare save begone enough
"""
IMPERATIVE_VERBS: frozenset[str] = frozenset(_IMPERATIVE_WORDS.split())
#: Words that may open an imperative but usually open something else ("Look here" is kept by the verb list).
NOT_IMPERATIVE_AFTER: dict[str, re.Pattern[str]] = {
    "let": re.compile(r"^let me see\b|^let (?:him|her|them) (?:be|alone)\b"),
    "come": re.compile(r"^come,? come\b"),
}
INTERJECTIONS = (
    r"(?:oh|o|ah|aha|well|now|then|so|and|but|just|please|pray|come|here|dear me|good heavens|heavens|"
    r"my dear|my friend|my boy|my girl|sir|madam|ma'am|yes|no|nay|look here|listen|oh dear|alas|hey|hm+|"
    r"fucking|fuckin|goddamn|damn|damned|bloody|for god's sake|for heaven's sake)"
)

# Patterns are alternations of named groups; the group name is the cue reported.
THREAT_RE = re.compile(
    r"(?P<threat_or_else>\bor (?:else )?(?:i|we)(?:'ll| will| shall)\b)"
    r"|(?P<threat_harm>\b(?:i|we)(?:'ll|'d| will| shall| would)?\s+(?:\w+\s+){0,3}?(?:kill|shoot|strangle|murder|"
    r"hang|thrash|whip|flog|punish|ruin|destroy|execute|beat)\s+(?:you|him|her|them|it|the|that|this|your|"
    r"every)\b|\b(?:i|we)(?:'ll| will| shall)?\s+(?:box|break|wring) your\b|\bhave you (?:executed|hanged|"
    r"arrested|shot|flogged|whipped|punished)\b)"
    r"|(?P<threat_regret>\b(?:you(?:'ll| will| shall)|you'd|you would) (?:\w+ )?(?:regret|be sorry|pay for|"
    r"suffer)\b|\bmake you (?:regret|pay|sorry|suffer)\b)"
    r"|(?P<threat_better_not>\byou(?:'d| had) better not\b|\bthe worse for you\b|\blet (?:him|her|them) beware\b)",
)
THREAT_NOT_RE = re.compile(r"\b(?:whomsoever|whoever) you\b|\bkill (?:myself|himself|herself|time)\b")

DECLARATION_RE = re.compile(
    r"(?P<love_you>\b(?:i|i'm|i am)\b[^.!?]{0,30}?\b(?:love|loved|adore|worship)\s+you\b)"
    r"|(?P<hate_you>\b(?:i|i'm|i am)\b[^.!?]{0,30}?\b(?:hate|detest|despise|loathe)\s+you\b)"
    r"|(?P<in_love>\b(?:i'm|i am|i've been|i have been|i was)\s+(?:\w+\s+){0,2}in love with you\b)"
    r"|(?P<feelings>\bi (?:have|had) feelings for you\b|\bi care (?:for|about) you\b|\btenderness for you\b|"
    r"\bto love you\b)"
    r"|(?P<proposal>(?:^|[.!?,;]\s*|\bwill you |\bwon't you )marry me\b|(?:^|[.!?,;]\s*|\bwill you |\bwon't you )be my (?:wife|husband)\b|"
    r"\basking you to be my\b)",
)
DECLARATION_NOT_RE = re.compile(r"\b(?:don't|do not|didn't|never) (?:hate|detest) you\b")

APOLOGY_RE = re.compile(
    r"(?P<sorry>(?:^|\b(?:i'm|i am|i'm so|i am so|i'm very|i am very|i'm truly|i am truly|i'm awfully|i am "
    r"awfully|i'm dreadful|i'm terribly|i am terribly|i'm really|i am really|so|very|truly)\s+)sorry\b"
    r"(?!\s+(?:for (?:him|her|them|it|the|his|her|their|you)|to (?:hear|see|say|be|lose)|you|that|if))"
    r"|\bi(?:'m| am) (?:\w+ )?sorry,?$)"
    r"|(?P<forgive_me>(?<!never )(?<!not )(?<!would )(?<!will )(?<!to )\bforgive me\b|\bpardon me for\b|\bpardon my\b|\bi beg your pardon\b(?![^.!]*\?)(?![;,]? i (?:didn't|did not) (?:catch|hear))"
    r"|\bi apologi[sz]e\b|\bmy apologies\b|\bmake my apologies\b)"
    r"|(?P<my_fault>\b(?:it was|it's|it is|all) my (?:own )?fault\b|\bi failed you\b|\bi was wrong to\b)"
    r"|(?P<excuse_me>^(?:\w+[!,.]\s+)?(?:excuse me|pardon me)\b(?![^.!?]*\bbut\b))",
)

THANKS_RE = re.compile(
    r"(?P<thank_you>\bthank(?:s| you| ye|ee)\b(?! (?:to|god|heaven|goodness))|\bmany thanks\b|\bmy thanks\b)"
    r"|(?P<obliged>\b(?:much|very|so|greatly|particularly|awfully|most) (?:\w+ )?obliged\b|\bobliged to you\b)"
    r"|(?P<grateful>\b(?:i'm|i am|i'd be|i would be|i should be|i shall be|we are|we're)\s+(?:\w+\s+){0,2}"
    r"grateful\b|\bcan never thank you\b)",
)
HOW_ARE_YOU_RE = re.compile(r"\bhow (?:are|do) you(?: do| feel)?\b|\bhow are you\b")

ACCUSATION_RE = re.compile(
    r"(?P<how_could_you>\bhow (?:could|can|dare|dared) you\b|\bhow dare\b)"
    r"|(?P<you_did_wrong>\byou(?:'ve| have| had|'re| are| were)? (?:\w+ )?(?:lied|deceived|betrayed|accused|cheated|tricked|"
    r"ruined|insulted|abandoned|used|robbed|hurt|hurting|deceiving|lying|betraying|confuse|confusing)\b)"
    r"|(?P<your_fault>(?<!not )(?<!n't )(?<!no )\byour (?:own )?fault\b|\byou(?:'re| are) responsible\b|\bshame on you\b|"
    r"\bashamed of you\b)"
    r"|(?P<insult>\byou(?:'re| are)? (?:a |an |such a |such an )?(?:\w+ )?(?:liar|thief|fool|villain|coward|"
    r"traitor|brute|monster|wretch|simpleton|idiot|hypocrite|beast)\b|\byou (?:are|were) (?:so |very |too )?"
    r"(?:cruel|wicked|unjust|unfair|heartless|selfish|rude|impolite|unfeeling)\b|\bwhy are you so (?:cruel|"
    r"unkind|mean|hard)\b)"
    r"|(?P<reproach>(?:^|[.!?,;]\s*|\bbut |\band )you never\b|\byou (?:don't even|do not even|did not even|didn't even|won't let me|wouldn't "
    r"even)\b|\byou weren't there\b|\bwhere were you when\b|\bwhy (?:are|did) you (?:doing this|do this)\b|"
    r"\bwhy are you doing this\b|\bnothing changes\b|\bwhen you have deceived\b|\byou don't (?:even )?love "
    r"me\b)",
)

REQUEST_RE = re.compile(
    r"(?P<plea>\bi (?:beg|entreat|implore|beseech)\b(?! your pardon)|\bfor (?:god's|heaven's|pity's|mercy's) sake\b|"
    r"\bhave mercy\b|\b(?:please|pray),? (?:don't|do not)\b|\bdon't (?:leave|go|give up on) (?:me|us)\b|"
    r"\bi don't want (?:you to leave|to lose you)\b|\bplease\.?$)"
    r"|(?P<please>\bplease\b|\bpray\b(?!,? (?:what|who|why|how|where|when|tell me if))|\bkindly\b|"
    r"\bif you please\b|\bwould you mind\b|\bbe so good as\b)"
    r"|(?P<want_you_to>\bi (?:want|need|wish|would like|'d like) you to\b|\bi need (?:to talk|to speak) "
    r"(?:to|with) you\b|\bi(?:'d| would| should) like (?:to|you)\b)"
    r"|(?P<lets>\blet's\b|\blet us (?!see\b)\w+|\bwe (?:had|'d) better\b|\byou(?:'d| had) better (?!not)\b)"
    r"|(?P<emphatic_do>^(?:oh,? |but |now,? )?do (?:come|put|tell|let|sit|stay|say|go|take|be|have|try|"
    r"forgive|remind|make|keep|give)\b)",
)
WISH_RE = re.compile(r"^(?:i|we) (?:want|wish|need|have) to (?:leave|go|talk|speak|see)\b")

YES_RE = re.compile(
    r"^(?:(?:oh|ah|well|why),?\s+)?(?P<yes>yes|yeah|yep|aye|certainly|of course|sure|surely|very well|all right|"
    r"alright|okay|ok|fine|agreed|i agree|quite so|quite right|exactly|just so|with pleasure|by all means|that "
    r"is so|so it is|most willingly|willingly|gladly|to be sure|i'll do my best|"
    r"(?:i will|i shall|i know|i understand|right|i do)(?=\s*(?:[.,;:!]|--|-|$)))\b(?P<rest>.*)",
)
NO_RE = re.compile(
    r"^(?:(?:oh|ah|well),?\s+)?(?P<no>no|nay|never|certainly not|not i|by no means|not now|later|none)\b"
    r"(?P<rest>.*)",
)
REFUSE_RE = re.compile(
    r"(?P<refuse>\bi (?:refuse|decline|must decline)\b|\b(?:i|we) (?:won't|will not|shall not|can't|cannot|can "
    r"never|could never|couldn't)\b(?! (?:agree|believe|think|imagine|say|tell|recollect|remember|understand|help "
    r"(?:it|thinking)|bear to think|see|wonder)\b)|\bi have not the least intention\b|\bimpossible for me\b|"
    r"\bi'd rather not\b|\bi must do it\b|\bi insist\b|\byou (?:must|shall) have it\b)",
)
PROHIBIT_RE = re.compile(r"\byou (?:can't|cannot|can not|mustn't|shan't|shall not) (?:leave|go|do this|have)\b")
NO_THANKS_RE = re.compile(r"^(?:no|none),? (?:i )?thank(?:s| you)\b")

QUESTION_WORD_RE = re.compile(
    r"^(?:who|whom|whose|what|where|when|why|how|which|is|are|am|was|were|do|does|did|can|could|will|would|"
    r"shall|should|have|has|had|may|might|must|isn't|aren't|don't|doesn't|didn't|won't|wouldn't|can't|"
    r"couldn't)\b",
)
SENT_SPLIT_RE = re.compile(r"(?<=[.!?])\s+|\s*(?:--|—|–)\s*(?=[A-Z])")
LEAD_RE = re.compile(r"^(?:[^\w']+|" + INTERJECTIONS + r"\b[,!.]?\s*)+")
VOCATIVE_RE = re.compile(
    r"^(?!(?:Yes|No|Nay|Well|Oh|Ah|Now|Then|Why|So|Indeed|Certainly|Sure|Fine|Never|Later|Please|Pray|Thank|"
    r"Thanks|Sorry|Look|Listen|Come|Go|Stop|Wait|Excuse|Pardon|Forgive|Very|All|Of|Quite|Exactly|Right)\b)"
    r"(?:[A-Z][a-z]+\.?\s?){1,3},\s+(?=[a-z])"
)
WORD_RE = re.compile(r"[a-z']+")
LOVE_WORD_RE = re.compile(r"\blove\b|\bfeelings\b|\bcare (?:for|about)\b")
SHORT_DO_RE = re.compile(r"^(?:i do|i did|of course i do|yes,? i do)\b")
WANT_RE = re.compile(r"\b(?:i|we) (?:want|wish|need|'d like|would like) to\b|\blet me\b|\b(?:may|can|could|shall) (?:i|we)\b")

W_STRONG = 3.5
# Substrings that must occur before the matching pattern is worth running (a speed prefilter).
THREAT_KEYS = ("kill", "shoot", "strangl", "murder", "hang", "thrash", "whip", "flog", "punish", "ruin", "destroy",
               "execut", "beat", "box your", "break your", "wring", "regret", "sorry", "pay for", "suffer",
               " or ", "better not", "worse for", "beware")
DECLARATION_KEYS = ("love", "ador", "worship", "hate", "detest", "despis", "loath", "feelings", "care ",
                    "tenderness", "marry me", "be my")
APOLOGY_KEYS = ("sorry", "forgive", "pardon", "apolog", "fault", "failed you", "wrong to", "excuse")
THANKS_KEYS = ("thank", "obliged", "grateful")
DECLINE_KEYS = ("decline", "accept", "marry", "consent", "impossible for me", "intention")
_ABBREV_RE = re.compile(r"\b(Mr|Mrs|Messrs|Dr|St|Mme|Mlle|Capt|Col|Gen|Rev|Prof)\.")
WELL_RE = re.compile(r"^(?:i'm|i am) (?:\w+ ){0,2}(?:well|better|fine|as well)\b")
DECLINE_RE = re.compile(
    r"\b(?:i|must|to) decline\b|\bi (?:cannot|can't|will not|won't) (?:accept|marry|consent)\b|"
    r"\bimpossible for me\b|\bi have not the least intention\b",
)
ASK_FORM_RE = re.compile(
    r"^(?:can|could|will|would|won't|wouldn't|shall|may) (?:you|we|ye) (?!(?:like|think|believe|suppose|say|call|"
    r"know|be|have|kill|expect|want|mean|really|ever)\b)",
)
AND_I_WILL_RE = re.compile(r"\band (?:i|we)(?:'ll| will| shall)\b")
COMMA_IMPERATIVE_RE = re.compile(r",\s+(?:stop|go away|get out|shut up|listen to me|come here|quit)\b")
_TRANSLATE = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "_": None})
_LOST_APOS_RE = re.compile(
    r"\b(don|didn|doesn|won|can|isn|aren|wasn|weren|couldn|wouldn|shouldn|haven|hasn|hadn|mustn|ain|shan) (t)\b"
    r"|\b(I|you|we|they|he|she|it|that|there|what|who) (m|re|ve|ll|d|s)\b",
    _I,
)


def _restore_apostrophe(m: re.Match[str]) -> str:
    return f"{m.group(1)}'{m.group(2)}" if m.group(1) else f"{m.group(3)}'{m.group(4)}"
W_THREAT = 4.0


@dataclass(slots=True)
class ActResult:
    """One utterance's act, whether it is a plea, the score per act and the rules that fired."""

    act: str
    plea: bool = False
    scores: dict[str, float] = field(default_factory=dict)
    cues: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The act with pleas told apart: ``"plea"`` for a pleading request, else ``act``."""
        return "plea" if self.plea and self.act == "request" else self.act


def _normalise(text: str) -> str:
    """Straight apostrophes, no italics underscores, PDNC's dropped apostrophes restored ("don t")."""
    t = text.translate(_TRANSLATE).replace("\u2026", "...")
    t = _LOST_APOS_RE.sub(_restore_apostrophe, t)
    t = _ABBREV_RE.sub(r"\1", t)
    return " ".join(t.split())


def _sentences(text: str) -> list[str]:
    return [s for s in SENT_SPLIT_RE.split(text) if s and any(c.isalnum() for c in s)]


def _opening(sentence: str) -> str:
    """The sentence lower-cased, without leading punctuation and a leading vocative ("Alana, ...")."""
    return VOCATIVE_RE.sub("", sentence.lstrip("\"'([ -")).lower()


def _strip_lead(sentence: str) -> str:
    """The opening without interjections and softeners ("Oh, well, just go." -> "go.")."""
    return LEAD_RE.sub("", _opening(sentence))


def _is_imperative(sentence: str) -> bool:
    """A sentence that opens with a bare verb ("Go.", "Just loosen your grip.", "Don't.")."""
    return _imperative_lead(_strip_lead(sentence))


def _imperative_lead(raw: str) -> bool:
    if raw.startswith(("off with", "hands off", "out of my")):
        return True
    if raw.startswith(("don't", "do not", "never ", "never mind", "don't you dare")):
        return not raw.startswith(("don't know", "don't think", "never mind that", "never in"))
    m = WORD_RE.match(raw)
    if m is None:
        return False
    word = m.group(0)
    if word not in IMPERATIVE_VERBS:
        return False
    guard = NOT_IMPERATIVE_AFTER.get(word)
    if guard is not None and guard.match(raw):
        return False
    rest = raw[m.end() :].lstrip(" ,")
    # "Go on" / "Come here" are fine; a finite clause after the word is not ("Fancy that she ...").
    return not rest.startswith(("is ", "was ", "are ", "were "))


def _is_directive(prev: str) -> bool:
    """The previous utterance asks for or orders something, offers, or states a wish to do something."""
    sents = _sentences(prev)
    if not sents:
        return False
    low = prev.lower()
    if REQUEST_RE.search(low) or WANT_RE.search(low) or WISH_RE.match(_strip_lead(sents[-1])):
        return True
    return any(_is_imperative(s) for s in sents[-2:])


def _has(low: str, keys: tuple[str, ...]) -> bool:
    """A cheap prefilter: does any key occur (as a substring) in the lower-cased text?"""
    return any(k in low for k in keys)


class _Context:
    """The previous utterance, normalised and analysed only when a rule asks."""

    __slots__ = ("_directive", "_low", "text")

    def __init__(self, previous: str | None) -> None:
        self.text = _normalise(previous) if previous else ""
        self._low: str | None = None
        self._directive: bool | None = None

    @property
    def low(self) -> str:
        if self._low is None:
            self._low = self.text.lower()
        return self._low

    @property
    def directive(self) -> bool:
        if self._directive is None:
            self._directive = bool(self.text) and _is_directive(self.text)
        return self._directive

    @property
    def question(self) -> bool:
        return self.text.rstrip(" \"'").endswith("?")


def classify(text: str, previous: str | None = None) -> ActResult:
    """The dialogue act of one utterance, given (optionally) the previous utterance by another speaker."""
    t = _normalise(text)
    scores: dict[str, float] = {"statement": STATEMENT_FLOOR}
    cues: list[str] = []

    def add(act: str, weight: float, cue: str) -> None:
        scores[act] = scores.get(act, 0.0) + weight
        cues.append(f"{act}:{cue}")

    sents = _sentences(t)
    if not sents:
        return ActResult("statement", False, scores, cues)
    ctx = _Context(previous)
    prev = ctx.text
    low = t.lower()
    opening = _opening(sents[0])
    leads = [LEAD_RE.sub("", _opening(s)) for s in sents]
    first = leads[0]
    nwords = t.count(" ") + 1

    # Threats, declarations, apologies, thanks, accusations: lexical, anywhere in the utterance.
    if _has(low, THREAT_KEYS):
        m = THREAT_RE.search(low)
        if m and not THREAT_NOT_RE.search(low):
            add("threat", W_THREAT, m.lastgroup or "threat")
    m = DECLARATION_RE.search(low) if _has(low, DECLARATION_KEYS) else None
    if m and not DECLARATION_NOT_RE.search(low):
        add("declaration", 3.0 if m.lastgroup == "hate_you" else W_STRONG, m.lastgroup or "declaration")
    elif prev and nwords <= 12 and SHORT_DO_RE.match(opening) and LOVE_WORD_RE.search(ctx.low):
        add("declaration", W_STRONG, "i_do_love")
    if _has(low, APOLOGY_KEYS):
        m = APOLOGY_RE.search(low)
        if m:
            add("apology", 1.5 if m.lastgroup == "excuse_me" else W_STRONG, m.lastgroup or "apology")
    if _has(low, THANKS_KEYS):
        m = THANKS_RE.search(low)
        if m:
            answer = bool(prev and HOW_ARE_YOU_RE.search(ctx.low)) or bool(WELL_RE.match(opening))
            add("thanks", 0.5 if answer else W_STRONG, m.lastgroup or "thanks")
    if "you" in low or "nothing changes" in low:
        m = ACCUSATION_RE.search(low)
        if m:
            add("accusation", 2.5 if m.lastgroup == "reproach" else W_STRONG, m.lastgroup or "accusation")

    # Answers: yes / no, refusals, prohibitions; they read the previous utterance.
    y = YES_RE.match(opening)
    n = NO_RE.match(opening)
    if NO_THANKS_RE.match(opening):
        add("refusal", 3.0 + (1.0 if prev and (ctx.directive or ctx.question) else 0.0), "no_thanks")
    elif n and not n.group("rest").lstrip().startswith("?"):
        word = n.group("no")
        if prev and ctx.directive:
            add("refusal", 4.0, f"no_after_directive:{word}")
        elif not prev and nwords <= 3 and word not in ("later", "not now", "none"):
            add("refusal", 1.5, "bare_no")
    elif y and not y.group("rest").lstrip().startswith("?"):
        add("agreement", 3.0 if prev else 2.5, f"yes:{y.group('yes')}")
    m = REFUSE_RE.search(first)
    if m:
        add("refusal", 3.5 if prev and ctx.directive else 2.0, m.lastgroup or "refuse")
    if _has(low, DECLINE_KEYS) and DECLINE_RE.search(low):
        add("refusal", W_STRONG, "decline")
    if "you c" in low or "you m" in low or "you s" in low:
        if PROHIBIT_RE.search(low):
            add("refusal", 2.0, "prohibit")

    # Requests, commands, questions: the form of the sentences.
    m = REQUEST_RE.search(low)
    plea = False
    request_cue = None
    if m:
        request_cue = m.lastgroup or "request"
        plea = request_cue == "plea"
    elif any(ASK_FORM_RE.match(lead) for lead in leads):
        request_cue = "can_you"
    if request_cue:
        add("request", 3.0, request_cue)
    elif nwords <= 8 and WISH_RE.match(first):
        add("request", 2.0, "wish")
    imperative = [i for i, lead in enumerate(leads) if _imperative_lead(lead)]
    if imperative:
        add("command", 2.5 if imperative[0] == 0 else 1.5, "imperative")
        if imperative[0] == 0 and "threat" not in scores and AND_I_WILL_RE.search(sents[0].lower()):
            add("request", 3.0, "do_this_and_i_will")
        elif "request" in scores:
            # "Please go" / "I implore you. Do not elect this man.": the softener makes it a request.
            scores["request"] += 0.5
    elif "," in sents[0] and COMMA_IMPERATIVE_RE.search(sents[0].lower()):
        add("command", 1.5, "imperative_clause")
    asks = sum(1 for s in sents if s.rstrip(" \"'").endswith("?"))
    if sents[-1].rstrip(" \"'").endswith("?"):
        add("question", 2.2, "question_mark")
    elif asks:
        add("question", 1.5 if asks * 3 >= len(sents) else 0.8, "question_mark_inside")
    elif QUESTION_WORD_RE.match(first) and not first.endswith((".", "!")):
        add("question", 1.0, "wh_fragment")
    if "question" in scores and request_cue == "can_you":
        scores["request"] += 0.5

    best = max(PRIORITY, key=lambda a: (scores.get(a, 0.0), -PRIORITY.index(a)))
    return ActResult(best, plea and best == "request", scores, cues)


# ---------------------------------------------------------------------------------------------- the stage


def quote_text(story: Story, quote: Quote) -> str:
    """A quote's sub-span texts joined with a space."""
    return " ".join(story.text[a:b] for a, b in quote.spans)


def _paragraph_index(story: Story) -> list[int]:
    return [p.start for p in story.paragraphs]


def run(story: Story) -> None:
    """Set ``quote.act`` on every quote (``"plea"`` for a pleading request)."""
    import bisect

    starts = _paragraph_index(story)
    quotes = sorted(story.quotes, key=lambda q: q.start)
    prev_q: Quote | None = None
    prev_text = ""
    for q in quotes:
        text = quote_text(story, q)
        previous: str | None = None
        if prev_q is not None:
            same_or_next = True
            if starts:
                pq = bisect.bisect_right(starts, prev_q.end - 1)
                qq = bisect.bisect_right(starts, q.start)
                same_or_next = qq - pq <= 1
            other = q.speaker is None or prev_q.speaker is None or q.speaker != prev_q.speaker
            if same_or_next and other:
                previous = prev_text
        q.act = classify(text, previous).label
        prev_q, prev_text = q, text


STAGE = Stage("acts", run, requires=("quotes",), provides=("acts",))
