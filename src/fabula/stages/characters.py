"""Characters: person names in fiction, clustered into characters with aliases, gender and mention counts.

Fiction-specific and fast: capitalised-word runs (with honorifics) scanned once over the story text, kept as names
when they behave like names (rarely written in lower case, not only ever sentence-initial unless a cue supports
them: ``said X``, ``X said``, a vocative inside a quotation, a possessive, a following verb). Names used only in
direct address ("…, Ikram.") are found through the vocative cue. Forms are then clustered: first names and full
names, titled surnames (``Mr. Bennet`` ≠ ``Mrs. Bennet`` ≠ ``Jane Bennet``), nicknames (``Lizzy`` → Elizabeth).
AO3 character tags in ``story.meta["characters"]`` act as priors. Unnamed speakers are added later by attribution.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources

from fabula.pipeline import Stage
from fabula.story import Character, Mention, Story

# ---------------------------------------------------------------------------------------------- lexicons

MALE_TITLES = frozenset(
    "mr mister sir lord monsieur m herr signor señor senor don master father uncle brother prince king duke count "
    "baron marquis marquess earl colonel captain major general lieutenant sergeant admiral reverend rev mynheer "
    "sheikh emperor tsar czar pope bishop abbé abbe squire".split()
)
FEMALE_TITLES = frozenset(
    "mrs miss ms lady madame mme mlle mademoiselle dame mistress aunt sister mother princess queen duchess "
    "countess baroness marchioness frau fräulein fraulein signora señora senora doña dona empress".split()
)
NEUTRAL_TITLES = frozenset("dr doctor professor prof inspector detective officer judge nurse agent".split())
TITLES = MALE_TITLES | FEMALE_TITLES | NEUTRAL_TITLES
# Titles of rank that take a place: "the Duchess of Monmouth", "the Duke of St. Austrey", "the King of Hearts".
_NOBLE_TITLES = frozenset(
    "duke duchess earl countess marquis marquess marchioness prince princess king queen lord lady baron baroness "
    "count viscount bishop archbishop".split()
)
# Titles that are also ordinary capitalised words when alone ("General", "Major", "Sister") and need a name after.
_TITLE_NEEDS_NAME = frozenset(
    "m don master father uncle brother mother aunt sister king queen prince princess general major count "
    "captain colonel judge agent nurse officer".split()
)
_CANON_TITLE = {
    "mister": "Mr.",
    "mr": "Mr.",
    "mrs": "Mrs.",
    "ms": "Ms.",
    "dr": "Dr.",
    "doctor": "Dr.",
    "mme": "Mme.",
    "mlle": "Mlle.",
    "prof": "Prof.",
    "rev": "Rev.",
    "m": "M.",
}
_MARRIED = frozenset(["mrs", "mme", "madame", "frau", "signora", "señora", "senora", "doña", "dona"])
_UNMARRIED = frozenset(["miss", "mlle", "mademoiselle", "fräulein", "fraulein"])

# Capitalised words that are not names even when never written in lower case.
STOP = frozenset(
    """i i'm i'd i've i'll oh ah eh ha o ok okay hey hi hello yeah yes no nope yep sorry please thanks goodbye
    bye goodnight goodmorning alas hush hurrah hurray amen aye nay sir madam ma'am mum mom mama mamma papa dad daddy
    mummy god lord
    heaven heavens christ jesus christmas easter monday tuesday wednesday thursday friday saturday sunday january
    february march april may june july august september october november december english french german italian
    spanish russian american british irish scottish welsh dutch swiss european african indian chinese japanese
    roman greek latin jewish christian catholic protestant englishman englishwoman frenchman frenchwoman
    norwegian swedish danish dane swede finnish polish czech hungarian austrian portuguese belgian canadian
    australian mexican brazilian egyptian arab arabian persian turkish turk prussian bavarian bohemian saxon
    celtic gaelic yankee asian oriental jew jews jewess mexicans junkers
    chapter book part volume the a an and but or if then there here this that these those what who why when where
    how which my your his her our their its he she we they you it me him us them mine yours hers ours theirs
    well now so yet still just only even also too very much many more most some any every each all both either
    neither none nothing everything something anything everyone someone anyone nobody somebody anybody
    mr mrs ms miss dr st jr sr ave rd mt ft esq etc pm am tv ps oh-oh uh um hmm mm huh wow whoa ugh ooh aah
    fuck shit damn hell goddamn bloody dear darling sweetheart honey baby love
    street road lane avenue square park hall house court church hotel inn castle abbey manor hill river lake
    north south east west northern southern eastern western ouch ow oops ugh ahh ohh aww shh psst yay nah
    ive im dont cant wont didnt doesnt isnt wasnt youre thats whats theres hes shes theyre weve youve ill id
    ofcourse atleast gonna wanna gotta""".split()
)
# STOP words that are also first names: kept where the text uses them as a person ("said May", "May's").
_STOP_NAMES = frozenset("may april june august christian".split())
# STOP words (places, buildings) that are surnames after a title: "Mrs. Hall", "Mr. Hill", "Miss Lane".
_PLACE_SURNAMES = frozenset("street lane park hall house court church castle hill river lake".split())
_SURNAME_TITLES = frozenset("mr mrs miss ms mme mlle madame mademoiselle monsieur dr".split())
# Words a text capitalises as forms of address, not names of their own ("Mother", "her Ladyship").
_NOT_RESCUED = frozenset(
    """mother father brother sister aunt uncle cousin grandmother grandfather granny grandpa son daughter wife
    husband ladyship lordship majesty highness however""".split()
)
_PLACE_PREP = frozenset("in at from into near through across via within inside outside".split())
_NICKNAMES: dict[str, str] = {
    "lizzy": "elizabeth",
    "lizzie": "elizabeth",
    "eliza": "elizabeth",
    "liz": "elizabeth",
    "beth": "elizabeth",
    "betsy": "elizabeth",
    "bess": "elizabeth",
    "kitty": "catherine",
    "kate": "catherine",
    "katie": "catherine",
    "cathy": "catherine",
    "kit": "christopher",
    "chris": "christopher",
    "bill": "william",
    "billy": "william",
    "will": "william",
    "willy": "william",
    "bob": "robert",
    "bobby": "robert",
    "rob": "robert",
    "robbie": "robert",
    "dick": "richard",
    "rick": "richard",
    "ricky": "richard",
    "jack": "john",
    "johnny": "john",
    "jim": "james",
    "jimmy": "james",
    "jamie": "james",
    "tom": "thomas",
    "tommy": "thomas",
    "ned": "edward",
    "ted": "edward",
    "teddy": "edward",
    "eddie": "edward",
    "harry": "henry",
    "hal": "henry",
    "hank": "henry",
    "charlie": "charles",
    "chuck": "charles",
    "fanny": "frances",
    "fran": "frances",
    "frank": "francis",
    "nell": "eleanor",
    "nelly": "eleanor",
    "ellie": "eleanor",
    "meg": "margaret",
    "maggie": "margaret",
    "peggy": "margaret",
    "polly": "mary",
    "molly": "mary",
    "mamie": "mary",
    "sally": "sarah",
    "sukey": "susan",
    "sue": "susan",
    "susie": "susan",
    "jenny": "jane",
    "janey": "jane",
    "annie": "anne",
    "nan": "anne",
    "tony": "anthony",
    "andy": "andrew",
    "drew": "andrew",
    "dan": "daniel",
    "danny": "daniel",
    "dave": "david",
    "davy": "david",
    "mike": "michael",
    "mick": "michael",
    "nick": "nicholas",
    "pat": "patrick",
    "paddy": "patrick",
    "sam": "samuel",
    "sammy": "samuel",
    "joe": "joseph",
    "joey": "joseph",
    "ben": "benjamin",
    "benny": "benjamin",
    "fred": "frederick",
    "freddy": "frederick",
    "freddie": "frederick",
    "geoff": "geoffrey",
    "gus": "augustus",
    "jerry": "gerald",
    "larry": "lawrence",
    "len": "leonard",
    "lenny": "leonard",
    "matt": "matthew",
    "nat": "nathaniel",
    "phil": "philip",
    "ron": "ronald",
    "steve": "stephen",
    "walt": "walter",
    "wally": "walter",
    "abby": "abigail",
    "becky": "rebecca",
    "bella": "isabella",
    "izzy": "isabel",
    "debbie": "deborah",
    "dolly": "dorothy",
    "dot": "dorothy",
    "emmy": "emma",
    "gussie": "augusta",
    "hattie": "harriet",
    "jo": "josephine",
    "josie": "josephine",
    "lottie": "charlotte",
    "lucy": "lucia",
    "maddie": "madeline",
    "mattie": "martha",
    "patty": "martha",
    "minnie": "wilhelmina",
    "nora": "eleanor",
    "sophy": "sophia",
    "tilly": "matilda",
    "trudy": "gertrude",
    "vicky": "victoria",
    "winnie": "winifred",
    "alec": "alexander",
    "alex": "alexander",
    "sandy": "alexander",
    "sasha": "alexander",
    "misha": "mikhail",
    "mischa": "mikhail",
    "kolya": "nikolai",
    "vanya": "ivan",
    "natasha": "natalia",
    "masha": "maria",
    "dasha": "daria",
}

# A small first-name prior (written for fabula; common given names only).
_MALE_NAMES = frozenset(
    """aaron adam adrian ahmed alan albert alex alexander alexis alfred ali andrew angus anthony archie ares arthur
    ashley austin barnaby basil ben benjamin bernard bert bill bob brian bruce bryan caleb carl cecil charles charlie
    chris christopher clarence claude clement colin cyril daniel darcy david dennis derek dick dimitri dmitri dominic
    donald dorian douglas duncan dylan earl ed eddie edgar edmund edward edwin elias elijah elliot emile eric ernest
    ethan eugene evan felix fernando francis frank frankie fred frederick gabriel gareth gary geoffrey george gerald
    gilbert giles giovanni gordon graham gregory guy hamid hans harold harry hassan harvey hector henry herbert horace
    howard hugh hugo ian isaac ivan jack jacob jake james jamie jason jasper jean jeremy jerome jesse jim jimmy joe
    joel john johnny jonathan jordan joseph joshua juan julian justin karl keith ken kenneth kevin khalid larry
    lawrence leo leon leonard leopold liam lionel louis lucas luke malcolm marcus mark martin matthew maurice max
    michael miguel mike mohammed muhammad nathan nathaniel neil nicholas nick nigel noah norman oliver omar oscar
    owen patrick paul percy peter philip pierre quentin ralph randolph ray raymond reginald richard rob robert
    rodney roger roland ronald rudolph rupert russell ryan sam samuel scott sean sebastian sergei simon stanley
    stephen steve steven stuart ted terence theo theodore thomas tim timothy tom tommy tony tristan victor vincent
    walter wayne wilfred will william winston yusuf zach zachary""".split()
)
_FEMALE_NAMES = frozenset(
    """abigail ada adela adele agatha agnes alana alice alicia alison amanda amelia amy anastasia andrea angela
    anita ann anna anne annie antonia ava barbara beatrice becky bella belinda bertha beth betsy betty blanche
    brenda bridget camilla carla carol caroline catherine cecilia cecily celia charlotte chloe christina christine
    clara clare claire constance cora cynthia daisy daphne deborah delia diana dinah dolly dora doris dorothy edith
    eleanor elena elinor eliza elizabeth ella ellen eloise elsie emily emma esther ethel eugenia eva eve evelyn
    fanny fatima fiona flora florence frances georgiana georgina gertrude gladys grace gwendolen hannah harriet
    hazel helen helena henrietta hermione hester hilda ida ikram imogen irene iris isabel isabella jane janet jean
    jennifer jenny jessica jessie joan joanna josephine joy judith julia juliet june karen kate katherine kathleen
    katie kitty laura lavinia layla leah lila lilian lillian lily linda lisa lizzy lois lottie louisa louise lucia
    lucy lydia mabel madeline maggie margaret maria marian marianne marie marion martha mary matilda maud maude
    may maya meg melanie mildred millie miriam molly monica nadia nancy naomi natalia natasha nell nelly nina nora
    norah olive olivia pamela patricia pauline pearl penelope phoebe polina polly priya rachel rebecca rehema
    rosa rosalind rose rosie ruth sally samantha sara sarah selina sheila sophia sophie stella susan susanna
    sybil sylvia tabitha teresa tess theresa una ursula vera veronica victoria violet virginia vivian wendy
    winifred yasmin zara zoe""".split()
)

_SPEECH_LEMMAS = frozenset(
    """say ask reply answer cry whisper murmur shout call add continue exclaim snap mutter mumble repeat return
    observe remark spit sigh admit declare insist laugh sob plead interrupt yell scream growl breathe hiss tell
    demand whimper stammer state rejoin resume explain think wonder retort respond grunt groan moan gasp sniff
    sniffle chuckle giggle smile grin sneer scoff snort bark roar bellow shriek squeal wail protest suggest agree
    announce beg command urge warn promise concede confess conclude inquire enquire query persist object interpose
    put answer begin go pursue proceed cut correct counter joke tease chide scold pant purr drawl lisp croak rasp
    emphasize emphasise add note muse reason reflect confirm deny assure reassure whine huff mouth blurt venture
    hazard acknowledge proclaim vociferate coo comment rap snarl grumble jeer lament chime stutter bawl holler
    squeak titter simper babble prattle gabble cajole coax entreat implore interject opine pronounce remonstrate
    reprove rebuke soothe declaim vouchsafe thunder trill chirp assent rejoice recite quote whimper shriek
    nod croon ejaculate falter quaver hum sing intone rumble wheeze bluster supplement volunteer speak""".split()
)


def _speech_forms() -> frozenset[str]:
    out: set[str] = set()
    irregular = {
        "say": ["said", "says"],
        "tell": ["told"],
        "think": ["thought"],
        "begin": ["began", "begun"],
        "go": ["went", "goes"],
        "put": ["puts"],
        "cut": ["cuts"],
        "spit": ["spat"],
        "breathe": ["breathed", "breathes"],
        "sing": ["sang", "sings"],
        "speak": ["spoke", "speaks", "spoken"],
    }
    for lemma in _SPEECH_LEMMAS:
        out.add(lemma)
        out.update(irregular.get(lemma, []))
        if lemma.endswith("y") and lemma[-2] not in "aeiou":
            out.update([lemma[:-1] + "ies", lemma[:-1] + "ied"])
        elif lemma.endswith("e"):
            out.update([lemma + "s", lemma + "d"])
        elif lemma.endswith(("s", "sh", "ch", "x", "z")):
            out.update([lemma + "es", lemma + "ed"])
        else:
            out.update([lemma + "s", lemma + "ed"])
            if re.search(r"(?:^|[^aeiou])[aeiou][bdgmnprt]$", lemma):
                out.add(lemma + lemma[-1] + "ed")
    out -= {
        "go",
        "goes",
        "put",
        "puts",
        "cut",
        "cuts",
        "call",
        "calls",
        "called",
        "return",
        "returns",
        "begin",
    }
    out |= {"returned", "called", "went on", "goes on", "began", "begins"}
    return frozenset(out)


SPEECH_VERBS = _speech_forms()

# ---------------------------------------------------------------------------------------------- scanning

_PARTICLES = frozenset("de du des von van le la di da del der den ten ter".split())
_PARTICLE = "(?:" + "|".join(sorted(_PARTICLES)) + ")"
# a capitalised word, or a lower-case particle before one (at most one more particle between: "van der Luyden");
# a hyphen joins capitalised parts only ("Mary-Anne"): "Cold-hearted", "To-day", "A-n-n-e" are no names
_CAP_WORD = re.compile(
    r"(?<![\w'’])(?:[A-Z][A-Za-z0-9À-ÖØ-öø-ÿ'’]*+(?:-[A-Z][A-Za-z0-9À-ÖØ-öø-ÿ'’]*+)*+(?!-[a-z])"
    rf"|{_PARTICLE}(?=(?:[ \n]{_PARTICLE})?[ \n][A-Z]))"
)
_LOWER_WORD = re.compile(r"(?<![\w'’])[a-z][\w'’]*")
_APOS_S = re.compile(r"['’]s$")
_OPEN_MARKS = "\"“‘'«([—–-"
_CLOSE_MARKS = "\"”’'»)]"


@dataclass(slots=True)
class NameHit:
    """One capitalised-word run in the text that may name a person."""

    start: int
    end: int
    title: str | None  # lower-case title word without the period
    words: tuple[str, ...]  # name words after the title
    initial: bool  # sentence-initial
    in_quote: bool
    possessive: bool = False
    vocative: bool = False
    cue: bool = False  # a speech verb next to it


@dataclass(slots=True)
class Form:
    """A distinct surface form (title + words) with its evidence."""

    title: str | None
    words: tuple[str, ...]
    hits: list[NameHit] = field(default_factory=list)
    entity: int = -1

    @property
    def text(self) -> str:
        t = _CANON_TITLE.get(self.title or "", (self.title or "").capitalize()) if self.title else ""
        return (t + " " if t else "") + " ".join(self.words)


class _QuoteIndex:
    """Sorted quotation ranges (outer spans) for fast "is this position inside speech" checks."""

    def __init__(self, story: Story) -> None:
        rngs = sorted((q.outer or (q.start, q.end)) for q in story.quotes)
        self.starts = [a for a, _ in rngs]
        self.ends = [b for _, b in rngs]

    def inside(self, pos: int) -> int:
        """Index of the quotation containing ``pos`` or -1."""
        i = bisect.bisect_right(self.starts, pos) - 1
        if i >= 0 and pos < self.ends[i]:
            return i
        return -1


def _blocked_ranges(story: Story) -> list[tuple[int, int]]:
    return sorted((n.start, n.end) for n in story.nonstory)


def _prev_nonspace(text: str, pos: int) -> tuple[int, bool]:
    """Index of the previous non-space character before ``pos`` (-1 at text start) and whether a newline lay between."""
    i = pos - 1
    nl = False
    while i >= 0 and text[i] in " \t\r\n\u00a0":
        if text[i] == "\n":
            nl = True
        i -= 1
    return i, nl


def _is_initial(text: str, pos: int) -> bool:
    """Whether a word at ``pos`` starts a sentence (or an utterance)."""
    i, nl = _prev_nonspace(text, pos)
    while i >= 0 and text[i] in "“‘«([":
        return True
    if i < 0:
        return True
    c = text[i]
    if c in ".!?…:;":
        return True
    if c in "\"'”’»":
        j, _ = _prev_nonspace(text, i)
        if j < 0:
            return True
        b = text[j]
        if j == i - 1 and b in ",—–-":
            return False  # "…," Elizabeth said
        if i > 0 and text[i - 1] in " \t\n":
            return True  # an opening straight quote
        return b in ".!?…"
    if c in "—–-" and nl:
        return True
    # a paragraph that ended without punctuation
    return bool(nl and text[max(0, i - 1) : i + 1].strip() and text.count("\n", i, pos) >= 2)


def _is_vocative(text: str, start: int, end: int, qstart: int, qend: int) -> bool:
    """``…, Ali.`` / ``Rehema, …`` / ``Oh, Ali!`` / ``my dear Hastings,`` / ``Well, old Pet,`` inside a quotation."""
    after = text[end : min(qend, end + 3)].lstrip(" ")
    after_ok = not after or after[0] in ",.!?;…—–-:)" or end >= qend
    if not after_ok:
        return False
    before = text[max(qstart, start - 24) : start]
    if start <= qstart or not before.strip():
        return True
    b = before.rstrip()
    if b.endswith((",", "—", "–", "-", ";", "!", "?", ".", "…")):
        return True
    if _DET_ADJ_BEFORE.search(b):
        return False  # "it's sure to be a good Embassy."
    return bool(
        re.search(
            r"(?i)(?:\b(?:oh|o|ah|dear|my|my dear|dearest|but|well|yes|no|good|poor|old|hello|hi|hey|"
            r"thank you|thanks|sorry|please|goodbye|mon ami|mon cher|ma chère|come)\s*)$",
            b,
        )
    )


#: An article or a third-person possessive before "good/poor/dear/old": a noun phrase, not an address.
_DET_ADJ_BEFORE = re.compile(r"(?i)\b(?:a|an|the|his|her|their|its|this|that)\s+(?:good|poor|dear|old)\s*$")


def scan_names(story: Story) -> list[NameHit]:
    """All capitalised-word runs (titles attached) outside non-story blocks, with their context flags."""
    text = story.text
    qi = _QuoteIndex(story)
    blocked = _blocked_ranges(story)
    bstarts = [a for a, _ in blocked]
    quotes_sorted = sorted((q.outer or (q.start, q.end)) for q in story.quotes)
    hits: list[NameHit] = []
    words = list(_CAP_WORD.finditer(text))
    n = len(words)
    i = 0
    while i < n:
        m = words[i]
        s = m.start()
        k = bisect.bisect_right(bstarts, s) - 1
        if k >= 0 and s < blocked[k][1]:
            i += 1
            continue
        run = [m]
        j = i + 1
        while j < n:
            prev = run[-1]
            gap = text[prev.end() : words[j].start()]
            pw = prev.group().lower().rstrip(".")
            if _APOS_S.search(prev.group()):
                break
            if gap in (" ", "\n", " \n", "\n "):
                run.append(words[j])
                j += 1
            elif len(run) == 1 and pw in _NOBLE_TITLES and gap == " of " and words[j].group()[:1].isupper():
                run.append(words[j])  # "the Duchess of Monmouth"
                j += 1
            elif (
                pw in TITLES
                and gap in (". ", ".\n", ". \n")
                and not any(r.group().lower().rstrip(".") in TITLES for r in run[:-1])
            ):
                # the title opens the name; capitalised words before it are no part of it ("As Mrs. Weston")
                run = [*run[-1:], words[j]]
                j += 1
            else:
                break
        i = j
        _emit_run(text, run, qi, quotes_sorted, hits)
    return hits


def _emit_run(
    text: str,
    run: list[re.Match[str]],
    qi: _QuoteIndex,
    quotes_sorted: list[tuple[int, int]],
    hits: list[NameHit],
) -> None:
    toks = [m.group() for m in run]
    start, end = run[0].start(), run[-1].end()
    if len(run) > 1 and text[run[0].end() : run[1].start()] == " of ":
        toks = [toks[0], " ".join(["of", *toks[1:]])]  # one name word: "Duchess" + "of Monmouth"
    possessive = False
    last = toks[-1]
    if _APOS_S.search(last):
        toks[-1] = last[:-2]
        end -= 2
        possessive = True
    toks[-1] = toks[-1].rstrip("'’-")
    if toks[-1] in _PARTICLES or toks[0] in _PARTICLES:
        return
    initial = _is_initial(text, start)
    # Drop leading non-name words ("Poor Miss Taylor", "Then Ali", "When Elizabeth").
    lead = 0
    while (
        lead < len(toks) - 1
        and toks[lead].lower() in STOP
        and toks[lead].lower() not in TITLES
        and toks[lead].lower() not in _STOP_NAMES
    ):
        lead += 1
    if lead:
        start = run[lead].start()
        toks = toks[lead:]
        initial = False
    title: str | None = None
    tl = toks[0].lower().rstrip(".")
    if tl in TITLES and len(toks) > 1:
        title = tl
        toks = toks[1:]
    if len(toks) > 4:
        return
    if any(("'" in t[1:] or "’" in t[1:]) and not re.match(r"^[A-Z]['’][A-Z]", t) for t in toks):
        return  # contractions: Don't, I'm, We'd
    qidx = qi.inside(start)
    in_quote = qidx >= 0
    vocative = False
    if in_quote:
        qs, qe = quotes_sorted[qidx]
        vocative = _is_vocative(text, start, end, qs + 1, qe - 1 if text[qe - 1 : qe] in _CLOSE_MARKS else qe)
    hits.append(NameHit(start, end, title, tuple(toks), initial, in_quote, possessive, vocative))


_TAG_AFTER = re.compile(r"\s*(?:,\s*)?(\w+)")
_TAG_BEFORE = re.compile(r"(\w+)\s*$")


def _mark_cues(text: str, hits: list[NameHit]) -> None:
    """``said X`` / ``X said`` / ``X smiled`` (a verb right after a name) mark a hit as a person cue."""
    for h in hits:
        if h.in_quote:
            continue
        m = _TAG_AFTER.match(text, h.end, h.end + 30)
        nxt = m.group(1).lower() if m else ""
        b = _TAG_BEFORE.search(text, max(0, h.start - 20), h.start)
        prv = b.group(1).lower() if b else ""
        if (
            nxt in SPEECH_VERBS
            or prv in SPEECH_VERBS
            or h.possessive
            or (
                m
                and m.start(1) == h.end + 1
                and nxt.endswith(("ed", "s"))
                and nxt not in _NOT_VERB
                and len(nxt) > 3
            )
        ):
            h.cue = True


_ROMAN = re.compile(r"[IVXLCDM]+")
_PREP_BEFORE = re.compile(r"(\w+)\s+(?:the\s+)?$")
_NOT_VERB = frozenset("was has is does this its his thus always perhaps less unless yes sometimes".split())


# ---------------------------------------------------------------------------------------------- filtering


@functools.cache
def common_words() -> frozenset[str]:
    """Frequent lower-case English words (from public-domain novels; built by ``fabula.training.attribution``)."""
    try:
        raw = (
            resources.files("fabula.models")
            .joinpath("attribution/common_words.txt")
            .read_text(encoding="utf-8")
        )
    except (FileNotFoundError, ModuleNotFoundError):
        return frozenset()
    return frozenset(raw.split())


def _lower_counts(text: str) -> Counter[str]:
    return Counter(m.group() for m in _LOWER_WORD.finditer(text))


def _keep_forms(
    text: str, hits: list[NameHit], priors: set[str]
) -> dict[tuple[str | None, tuple[str, ...]], Form]:
    """Group hits into forms and keep the ones that behave like person names."""
    lower = _lower_counts(text)
    common = common_words()
    by_word: dict[str, list[NameHit]] = defaultdict(list)
    for h in hits:
        for w in h.words:
            by_word[w].append(h)

    titled = {h.words[0] for h in hits if h.title in _SURNAME_TITLES and len(h.words) == 1}

    def person_like(hs: list[NameHit]) -> bool:
        """Used mid-sentence mostly as a person is: tagged, addressed, possessive ("said May", "May's")."""
        mid = [x for x in hs if not x.initial and len(x.words) == 1]
        evidence = sum(1 for x in mid if x.cue or x.vocative or x.possessive)
        return evidence >= 3 and evidence >= 0.2 * len(mid)

    def word_ok(w: str) -> bool:
        wl = w.lower()
        if w in _PARTICLES or w.startswith("of "):
            return True
        if len(w) < 2 or w.isdigit() or not w[0].isupper() or _ROMAN.fullmatch(w):
            return False
        unhyphened = wl.replace("-", "")  # "Good-bye"
        if unhyphened in STOP:
            wl = unhyphened
        if wl in STOP:
            # "said May"; "said Hall" where "Mr. Hall" is in the story
            rescuable = wl in _STOP_NAMES or (wl in _PLACE_SURNAMES and w in titled)
            return rescuable and person_like(by_word.get(w, []))
        if wl in priors:
            return True
        hs = by_word.get(w, [])
        caps = len(hs)
        if w.isupper() and len(w) > 1 and not any(not x.initial for x in hs if len(x.words) == 1):
            return False
        if lower.get(wl, 0) > 0.1 * caps:
            # "Will", "Hope", "Rose": names in a text full of the words
            return wl not in _NOT_RESCUED and wl not in _PARTICLES and person_like(hs)
        noninit = sum(1 for x in hs if not x.initial)
        if wl in common and wl not in _MALE_NAMES and wl not in _FEMALE_NAMES:
            return noninit >= 2
        cues = sum(1 for x in hs if x.cue or x.vocative or x.title)
        return noninit >= 1 or cues >= 1 or caps >= 4

    # Role names written in capitals after "the" ("the Invisible Man", "the Mock Turtle"): kept when repeated,
    # although their words are ordinary English words.
    role_runs: Counter[tuple[str, ...]] = Counter(
        h.words
        for h in hits
        if h.title is None
        and len(h.words) >= 2
        and not h.initial
        and _after_the(text, [h])
    )
    forms: dict[tuple[str | None, tuple[str, ...]], Form] = {}
    for h in hits:
        words = h.words
        if not words:
            continue
        if role_runs.get(words, 0) >= 3 and not any(w.lower() in STOP for w in words):
            good = [True] * len(words)
        elif h.title in _SURNAME_TITLES and len(words) == 1 and words[0].lower() in _PLACE_SURNAMES:
            good = [True]  # "Mrs. Hall", "Mr. Hill": a title makes the word a surname
        else:
            good = [word_ok(w) for w in words]
        if not all(good):
            # keep the longest good suffix ("Yesterday Ali" → "Ali") when the title is absent
            k = len(words)
            while k > 0 and good[k - 1]:
                k -= 1
            if k == len(words) or h.title is not None:
                continue
            words = words[k:]
            if len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
                h.title = words[0].lower().rstrip(".")
                words = words[1:]
            h.words = words
        key = (h.title, h.words)
        f = forms.get(key)
        if f is None:
            f = forms[key] = Form(h.title, h.words)
        f.hits.append(h)
    # Person vs place: a form used after "in/at/to/from" more than as a person is dropped.
    out = {}
    titled_surnames: dict[str, list[Form]] = defaultdict(list)
    for (t, ws), f in forms.items():
        if t in _SURNAME_TITLES and len(ws) == 1:
            titled_surnames[ws[0]].append(f)
    for key, f in forms.items():
        if f.title in _SURNAME_TITLES and len(f.words) == 1 and _plural_of(
            text, f, _titled_singular(f.words[0], titled_surnames)
        ):
            continue  # "the Miss Dashwoods", "the Mr. Knightleys": the family, not one person
        if f.title or " ".join(f.words).lower() in priors:
            out[key] = f
            continue
        place = 0
        person = 0
        for h in f.hits:
            b = _PREP_BEFORE.search(text, max(0, h.start - 20), h.start)
            if b and b.group(1).lower() in _PLACE_PREP:
                place += 1
            if h.cue or h.vocative or h.possessive:
                person += 1
        if place >= 2 and place > 3 * person:
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


def _plural_of(text: str, f: Form, singular: list[Form]) -> bool:
    """Whether ``f`` is the plural of one of the forms ``singular`` ("the Bennets", "the Miss Steeles"): it ends in
    -s, is never possessive, and follows "the" at least half the time or is at most half as frequent."""
    if not singular or not f.words[-1].endswith("s") or any(h.possessive for h in f.hits):
        return False
    return _after_the(text, f.hits) * 2 >= len(f.hits) or max(len(g.hits) for g in singular) >= 2 * len(f.hits)


def _titled_singular(plural: str, titled_surnames: dict[str, list[Form]]) -> list[Form]:
    """The titled surnames that ``plural`` is the plural of ("Steeles" → "Miss Steele", "Coxes" → "Mr. Cox")."""
    return titled_surnames.get(plural[:-1], []) + titled_surnames.get(plural[:-2], [])


def _after_the(text: str, hits: Iterable[NameHit]) -> int:
    """How many of ``hits`` follow "the " ("the Hatter", "the Miss Steeles")."""
    return sum(1 for h in hits if text[max(0, h.start - 4) : h.start].lower() == "the ")


# ---------------------------------------------------------------------------------------------- clustering


def title_gender(title: str | None) -> str | None:
    if title is None:
        return None
    if title in MALE_TITLES:
        return "m"
    if title in FEMALE_TITLES:
        return "f"
    return None


def name_prior(first: str) -> str | None:
    w = first.lower()
    w = _NICKNAMES.get(w, w)
    if w in _MALE_NAMES and w not in _FEMALE_NAMES:
        return "m"
    if w in _FEMALE_NAMES and w not in _MALE_NAMES:
        return "f"
    if first.lower() in _FEMALE_NAMES:
        return "f"
    if first.lower() in _MALE_NAMES:
        return "m"
    return None


_PRON = re.compile(r"\b(he|himself|she|herself)\b", re.IGNORECASE)


def _pronoun_votes(text: str, form: Form, qi: _QuoteIndex) -> Counter[str]:
    """Gender votes from the first third-person pronoun after each narration mention (same or next sentence)."""
    votes: Counter[str] = Counter()
    for h in form.hits[:60]:
        if h.in_quote:
            continue
        window = text[h.end : h.end + 80]
        m = _PRON.search(window)
        if not m:
            continue
        if qi.inside(h.end + m.start()) >= 0:
            continue
        votes["m" if m.group(1).lower() in ("he", "himself") else "f"] += 1
    return votes


@dataclass(slots=True)
class _Entity:
    forms: list[Form]
    gender: str | None = None
    first: str | None = None  # canonical first name (nicknames resolved)
    last: str | None = None
    titles: set[str] = field(default_factory=set)
    named_full: bool = False

    @property
    def count(self) -> int:
        return sum(len(f.hits) for f in self.forms)


def _canon_first(w: str) -> str:
    wl = w.lower()
    return _NICKNAMES.get(wl, wl)


def cluster(
    text: str, forms: dict[tuple[str | None, tuple[str, ...]], Form], qi: _QuoteIndex
) -> list[_Entity]:
    """Cluster forms into entities: full names anchor; first names, titled surnames and nicknames attach to them."""
    entities: list[_Entity] = []
    full_by_words: dict[tuple[str, ...], int] = {}
    by_first: dict[str, list[int]] = defaultdict(list)
    by_last: dict[str, list[int]] = defaultdict(list)

    def gender_of(fs: list[Form]) -> str | None:
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

    # 1. Multi-word forms (first + last), grouped by their words; conflicting title genders split.
    multi = sorted((f for f in forms.values() if len(f.words) >= 2), key=lambda f: -len(f.hits))
    for f in multi:
        g = title_gender(f.title)
        key = f.words
        # "Mrs. Newland Archer" is his wife, not Newland Archer; "Mrs. Rachel Lynde" is Rachel Lynde
        husbands = f.title in _MARRIED and name_prior(f.words[0]) != "f"
        if husbands:
            key = ("Mrs.", *f.words)
        idx = full_by_words.get(key)
        if idx is not None:
            e = entities[idx]
            eg = next((title_gender(t) for t in e.titles if title_gender(t)), None)
            if g is None or eg is None or g == eg:
                e.forms.append(f)
                if f.title:
                    e.titles.add(f.title)
                continue
        # "Mrs. Charles Musgrove": the first name is her husband's, so a bare "Charles" is not her
        first = None if husbands else _canon_first(f.words[0])
        e = _Entity([f], first=first, last=f.words[-1].lower(), named_full=True)
        if f.title:
            e.titles.add(f.title)
        entities.append(e)
        if idx is None:
            full_by_words[key] = len(entities) - 1
    for e in entities:
        e.gender = gender_of(e.forms)
    _merge_married_names(entities, forms)
    _merge_name_prefixes(entities)
    for i, e in enumerate(entities):
        if not e.forms:
            continue
        if e.first:
            by_first[e.first].append(i)
        if e.last:
            by_last[e.last].append(i)

    singles = sorted(
        (f for f in forms.values() if len(f.words) == 1), key=lambda f: (f.title is None, -len(f.hits))
    )
    titled_surname: dict[tuple[str, str], int] = {}
    for f in singles:
        w = f.words[0]
        wl = w.lower()
        g = title_gender(f.title)
        target: int | None = None
        if f.title is not None and f.title not in NEUTRAL_TITLES | {"sir", "lady"}:
            # Mr./Mrs./Miss + surname: a full name with that surname, compatible gender and marital title.
            cands = []
            full_holders = [i for i in by_last.get(wl, []) if entities[i].named_full]
            for i in full_holders:
                e = entities[i]
                if g and e.gender and e.gender != g:
                    continue
                if f.title == "mrs" and not (e.titles & _MARRIED):
                    continue
                if f.title in _UNMARRIED and e.titles & _MARRIED:
                    continue
                # "Mr. Poirot" → "Hercule Poirot" (gender unknown yet) when he is the only one of that name
                if (
                    f.title in MALE_TITLES
                    and e.gender != "m"
                    and not (e.gender is None and len(full_holders) == 1)
                ):
                    continue
                cands.append(i)
            if len(cands) == 1:
                target = cands[0]
            elif len(cands) > 1 and f.title != "mrs" and g == "f":
                cands.sort(key=lambda i: -entities[i].count)
                if entities[cands[0]].count >= 2 * entities[cands[1]].count:
                    target = cands[0]
            if target is None and _title_class(f.title) in ("mr", "mrs", "miss") and g and name_prior(w) == g:
                # "Mrs. Rachel" / "Miss Elizabeth": a first name of the title's gender after the title, when one
                # full name starts with it ("Mrs. Rachel Lynde"; not "Mrs. Charles Musgrove", a husband's name)
                firsts = [
                    i
                    for i, e in enumerate(entities)
                    if e.named_full
                    and e.gender in (None, g)
                    and any(len(f2.words) >= 2 and f2.words[0] == w for f2 in e.forms)
                ]
                if len(firsts) == 1:
                    target = firsts[0]
            if target is None:
                key2 = (_title_class(f.title), wl)
                target = titled_surname.get(key2)
                if target is None:
                    entities.append(_Entity([], gender=g, last=wl, titles={f.title}))
                    target = len(entities) - 1
                    titled_surname[key2] = target
                    by_last[wl].append(target)
        elif f.title is not None:
            # Sir Walter / Lady Russell / Dr. Bauerstein: first or last name with a title.
            cands = [i for i in by_first.get(_canon_first(w), []) if entities[i].named_full] + [
                i for i in by_last.get(wl, []) if entities[i].named_full and f.title in entities[i].titles
            ]
            cands = [
                i for i in dict.fromkeys(cands) if not (g and entities[i].gender and entities[i].gender != g)
            ]
            if len(cands) == 1:
                target = cands[0]
            else:
                key2 = (_title_class(f.title), wl)
                target = titled_surname.get(key2)
                if target is None:
                    entities.append(_Entity([], gender=g, first=_canon_first(w), titles={f.title}))
                    target = len(entities) - 1
                    titled_surname[key2] = target
        else:
            cf = _canon_first(w)
            cands = [i for i in by_first.get(cf, []) if entities[i].named_full]
            holders_all = by_last.get(wl, [])
            holders_all = [i for i in holders_all if entities[i].named_full]
            if cands and holders_all:
                # "Archer" is Newland Archer's surname more often than anyone's first name: the bigger one wins
                best_last = max(holders_all, key=lambda i: entities[i].count)
                best_first = max(cands, key=lambda i: entities[i].count)
                if entities[best_last].count > entities[best_first].count:
                    cands = []
            if not cands:
                # a bare surname: the titled male (Mr. Darcy) or the only holder
                holders = [i for i in by_last.get(wl, [])]
                male = [i for i in holders if entities[i].gender == "m" and entities[i].titles & MALE_TITLES]
                if len(male) == 1:
                    target = male[0]
                elif len(holders) == 1:
                    target = holders[0]
                elif male:
                    target = max(male, key=lambda i: entities[i].count)
            elif len(cands) == 1:
                target = cands[0]
            else:
                # several "Charles": the one of the family the story is about (its surname is mentioned most)
                def family(i: int) -> int:
                    return sum(entities[j].count for j in by_last.get(entities[i].last or "", []))

                target = max(cands, key=lambda i: (family(i), entities[i].count))
            if target is None:
                entities.append(_Entity([], first=cf))
                target = len(entities) - 1
                by_first[cf].append(target)
        e = entities[target]
        e.forms.append(f)
        if f.title:
            e.titles.add(f.title)
    _merge_nicknamed(entities)
    # "Dr. Kemp" / "Colonel Adye" and a bare "Kemp" / "Adye": one person when the bare word has no other home.
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
        if _title_class(t) in ("mr", "mrs", "miss") or len({f.words for f in e.forms}) != 1:
            continue
        j = bare.get(e.forms[0].words[0].lower())
        if j is None or j < 0 or entities[j] is e:
            continue
        other = entities[j]
        g = title_gender(t)
        if g and other.gender and other.gender != g:
            continue
        other.forms.extend(e.forms)
        other.titles.add(t)
        e.forms = []
    # A bare title used as a name ("Mademoiselle", "the Colonel") is the character holding that title: the only
    # one, or the one named five times as often as all the others together.
    for e in entities:
        if len(e.forms) != 1 or e.forms[0].title is not None or len(e.forms[0].words) != 1:
            continue
        t = e.forms[0].words[0].lower()
        if t not in TITLES:
            continue
        owners = sorted((o for o in entities if o is not e and o.forms and t in o.titles), key=lambda o: -o.count)
        if owners and owners[0].count >= 5 * sum(o.count for o in owners[1:]):
            owners[0].forms.extend(e.forms)
            e.forms = []
    for e in entities:
        if e.forms:
            e.gender = gender_of(e.forms)
    return [e for e in entities if e.forms]


def _merge_nicknamed(entities: list[_Entity]) -> None:
    """"Jim Vane" and "James Vane": full names whose first names are one by the nickname table are one person
    (after the titled surnames found their homes, so that the counts they went by are the plain full names')."""
    home: dict[tuple[str, str], _Entity] = {}
    for e in entities:
        if not e.forms or not e.named_full or not e.first or not e.last:
            continue
        other = home.setdefault((e.first, e.last), e)
        if other is e or (e.gender and other.gender and e.gender != other.gender):
            continue
        other.forms.extend(e.forms)
        other.titles |= e.titles
        e.forms = []


def _merge_name_prefixes(entities: list[_Entity]) -> None:
    """"Ivan Ivanitch" is "Ivan Ivanitch Kuzmitchov": a two-word name that begins the longer full name of exactly
    one other character (of a compatible gender) is that character (first name and patronymic, double first
    names)."""
    longer: dict[tuple[str, ...], list[_Entity]] = defaultdict(list)
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


def _merge_married_names(
    entities: list[_Entity], forms: dict[tuple[str | None, tuple[str, ...]], Form]
) -> None:
    """A woman's maiden and married names are one person: "May Welland" and, later, "May Archer", when a man
    named Archer and another Welland are in the story and "May" alone is used more than both full names
    together. The later name's forms move to the earlier one (the emptied entity is dropped by the caller)."""
    men = {e.last for e in entities if e.named_full and e.gender == "m" and e.last}
    groups: dict[str, list[_Entity]] = defaultdict(list)
    for e in entities:
        if e.named_full and e.gender == "f" and e.first and not e.titles & _MARRIED and e.forms:
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


def _title_class(title: str) -> str:
    if title in _MARRIED:
        return "mrs"
    if title in _UNMARRIED:
        return "miss"
    if title in ("mr", "mister", "monsieur", "m", "herr", "signor", "señor", "senor"):
        return "mr"
    return title


def _display_name(e: _Entity) -> str:
    """The most natural full form: the most frequent multi-word form, else the most frequent form."""
    multi = [f for f in e.forms if len(f.words) >= 2]
    pool = multi or e.forms
    best = max(pool, key=lambda f: (len(f.hits), f.title is not None))
    if not multi:
        return best.text
    # Prefer the untitled full name when it is used at all ("Elizabeth Bennet" over "Miss Elizabeth Bennet").
    bare = [f for f in multi if f.title is None and f.words == best.words]
    return bare[0].text if bare else best.text


# ---------------------------------------------------------------------------------------------- stage


def _ao3_priors(story: Story) -> list[str]:
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


def run(story: Story) -> None:
    text = story.text
    qi = _QuoteIndex(story)
    priors_full = _ao3_priors(story)
    priors = {p.lower() for p in priors_full} | {w.lower() for p in priors_full for w in p.split()}
    hits = scan_names(story)
    _mark_cues(text, hits)
    forms = _keep_forms(text, hits, priors)
    entities = cluster(text, forms, qi)
    entities.sort(key=lambda e: min(h.start for f in e.forms for h in f.hits))
    chars: list[Character] = []
    mentions: list[Mention] = []
    for k, e in enumerate(entities):
        cid = f"c{k}"
        aliases = sorted(
            {f.text for f in e.forms}
            | {" ".join(f.words) for f in e.forms if len(f.words) > 1 and f.title not in _MARRIED}
        )
        name = _display_name(e)
        # Role names: "the Hatter", "the General", "the Mock Turtle" are mostly used with the article.
        hits = [h for f in e.forms if f.title is None for h in f.hits]
        with_the = _after_the(text, hits)
        if hits and with_the * 2 >= len(hits) and with_the >= 2 and name in {" ".join(h.words) for h in hits}:
            name = "the " + name
            aliases.append(name)
        chars.append(Character(id=cid, name=name, aliases=aliases, gender=e.gender, mentions=e.count))
        for f in e.forms:
            for h in f.hits:
                mentions.append(Mention(h.start, h.end, cid, "name"))
    mentions.sort(key=lambda m: m.start)
    story.characters = chars
    story.mentions = mentions


STAGE = Stage(
    name="characters",
    func=run,
    requires=("segment", "quotes"),
    provides=("characters", "mentions"),
)
