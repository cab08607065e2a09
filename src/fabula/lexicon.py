"""English word lists for fiction (like spaCy's ``lang/en``): titles, stop words, first names, speech verbs.

One home for the lexical knowledge the stages share, with the small pure helpers tied to the lists
(:func:`title_gender`, :func:`title_class`, :func:`canon_first`, :func:`name_prior`), and the words the
attribution stage parses narration with (pronoun tables, person and kin nouns, vocatives, speech nouns). Nothing
here reads files or keeps state.

There are two speech-verb lists, kept apart because each stage's results were tuned on its own:

* :data:`SPEECH_VERBS` — 541 inflected forms generated from :data:`SPEECH_LEMMAS` (``said``, ``smiles``,
  ``went on``); the characters and attribution stages test one word next to a name against it.
* :data:`QUOTE_TAG_VERBS` — 86 forms, in order, that the quotes stage searches narration for
  (:data:`SPEECH_VERB_RE`, :data:`SAY_BEFORE_RE`) to tell a speech tag between two sub-spans and a quotation
  introduced by a speech verb. All but two of them (``cried out``, ``calls``) are in :data:`SPEECH_VERBS`, which
  has 457 more (``smiled``, ``nodded``, ``retorted``…); unifying them would change which quotations are grouped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# ---------------------------------------------------------------------------------------------- titles

#: Hyphenated ranks ("Sub-Lieutenant Ashe", "Vice-Admiral"): titles and ranks both.
_COMPOUND_RANKS = frozenset(
    "sub-lieutenant lieutenant-colonel lieutenant-general major-general vice-admiral rear-admiral lance-corporal".split()
)
MALE_TITLES = frozenset(
    "mr mister sir lord monsieur m herr signor señor senor don master father uncle brother prince king duke count "
    "baron marquis marquess earl colonel captain major general lieutenant sergeant admiral reverend rev mynheer "
    "sheikh emperor tsar czar pope bishop abbé abbe squire".split()
) | _COMPOUND_RANKS
FEMALE_TITLES = frozenset(
    "mrs miss ms lady madame mme mlle mademoiselle dame mistress aunt sister mother princess queen duchess "
    "countess baroness marchioness frau fräulein fraulein signora señora senora doña dona empress".split()
)
NEUTRAL_TITLES = frozenset(
    "dr doctor professor prof inspector detective officer judge nurse agent commander constable superintendent "
    "sheriff cousin coach".split()
)
#: The placeholder for the reader's name in a reader-insert story ("You're late, Y/N").
READER_NAME = "Y/N"
#: Clipped forms of address and the title each stands for ("Sarge" is Sergeant Brannock, "Doc" the doctor).
CLIPPED_TITLES = {
    "sarge": "sergeant",
    "doc": "doctor",
    "skipper": "captain",
    "cap'n": "captain",
    "capn": "captain",
    "sub": "sub-lieutenant",
}
TITLES = MALE_TITLES | FEMALE_TITLES | NEUTRAL_TITLES
#: Titles written abbreviated with a full stop ("Mrs.", "Capt.", "Messrs."): the stop ends no sentence.
TITLE_ABBREVIATIONS = frozenset("mr mrs ms dr st mme mlle messrs rev prof capt col gen lt sgt".split())
#: A regex lookbehind: not right after a title's abbreviation, so the full stop that follows is no sentence's end
#: ("said Mr. Deasy", "the skipper, Mr. Pike").
NOT_AFTER_TITLE = "".join(rf"(?<!\b{w.capitalize()})" for w in sorted(TITLE_ABBREVIATIONS))
#: The word an abbreviated title stands for, as a bare title says it ("Doc" to Dr. Nwosu, "Captain" to Capt. Hook).
TITLE_WORDS = {
    "dr": "doctor",
    "capt": "captain",
    "col": "colonel",
    "gen": "general",
    "lt": "lieutenant",
    "sgt": "sergeant",
    "prof": "professor",
    "rev": "reverend",
}
#: Military ranks: a man called by one is seldom also called "Mr." by the same surname ("General Tilney" is not
#: "Mr. Henry Tilney", his son).
RANKS = (
    frozenset("general colonel captain major lieutenant sergeant corporal admiral commodore".split()) | _COMPOUND_RANKS
)
# Titles of rank that take a place: "the Duchess of Monmouth", "the Duke of St. Austrey", "the King of Hearts".
NOBLE_TITLES = frozenset(
    "duke duchess earl countess marquis marquess marchioness prince princess king queen lord lady baron baroness "
    "count viscount bishop archbishop".split()
)
# Titles that are also ordinary capitalised words when alone ("General", "Major", "Sister") and need a name after.
# Titles a person's name takes after "the" ("the Reverend Mr. Collins", "the late Mr. Dashwood"): other titled names
# after "the" are inns and ships ("the Admiral Benbow").
ARTICLE_TITLES = frozenset("rev reverend hon honourable honorable late".split())
TITLE_NEEDS_NAME = frozenset(
    "m don master father uncle brother mother aunt sister king queen prince princess general major count "
    "captain colonel judge agent nurse officer cousin".split()
)
CANON_TITLE = {
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
MARRIED = frozenset(["mrs", "mme", "madame", "frau", "signora", "señora", "senora", "doña", "dona"])
UNMARRIED = frozenset(["miss", "mlle", "mademoiselle", "fräulein", "fraulein"])


def title_gender(title: str | None) -> str | None:
    """``m`` / ``f`` for a gendered title (lower case, no period), None for others and for None."""
    if title is None:
        return None
    if title in MALE_TITLES:
        return "m"
    if title in FEMALE_TITLES:
        return "f"
    return None


def title_class(title: str) -> str:
    """The class a title matches surnames by: ``mrs`` (married), ``miss`` (unmarried), ``mr``, or the title."""
    if title in MARRIED:
        return "mrs"
    if title in UNMARRIED:
        return "miss"
    if title in ("mr", "mister", "monsieur", "m", "herr", "signor", "señor", "senor"):
        return "mr"
    return title


# ---------------------------------------------------------------------------------------------- stop words

#: Names of a god. LitBank annotates them as people; fabula lists them among the names only mentioned
#: (``Story.mentioned``), never in the cast, whatever the text does with them ("God knows", "O God, …", "by Jove").
DEITIES = frozenset({"God", "Jove", "Jehovah", "Allah", "Christ"})

#: Cardinal number words: a run of capitals that ends in one names a numbered thing ("Lock Three", "Platform
#: Nine", "Bay Four"), not a person.
NUMBER_WORDS = frozenset(
    """one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen
    eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand""".split()
)
#: Words for a people that a story may give someone for a nickname ("Irish murmured", "said Dutch").
DEMONYMS = frozenset(
    """english french german italian spanish russian american british irish scottish welsh dutch swiss
    norwegian swedish danish dane swede finnish polish czech hungarian austrian portuguese belgian canadian
    australian mexican brazilian egyptian turk prussian bavarian bohemian saxon yankee""".split()
)
# Capitalised words that are not names even when never written in lower case.
STOP = frozenset(
    """i i'm i'd i've i'll oh ah eh ha o ok okay hey hi hello yeah yes no nope yep sorry please thanks goodbye
    bye goodnight goodmorning alas hush hurrah hurray amen aye nay sir madam ma'am mum mom mama mamma papa dad daddy
    mummy god lord
    heaven heavens christ jesus christmas easter monday tuesday wednesday thursday friday saturday sunday january
    february march april may june july august september october november december
    european african indian chinese japanese
    roman greek latin jewish christian catholic protestant englishman englishwoman frenchman frenchwoman
    arab arabian persian turkish
    celtic gaelic asian oriental jew jews jewess mexicans junkers
    chapter book part volume the a an and but or if then there here this that these those what who why when where
    how which my your his her our their its he she we they you it me him us them mine yours hers ours theirs
    well now so yet still just only even also too very much many more most some any every each all both either
    neither none nothing everything something anything everyone someone anyone nobody somebody anybody
    mr mrs ms miss dr st jr sr ave rd mt ft esq etc pm am tv ps oh-oh uh um hmm mm huh wow whoa ugh ooh aah
    fuck shit damn hell goddamn bloody dear darling sweetheart honey baby love
    street road lane avenue square park hall house court church hotel inn castle abbey manor hill river lake
    north south east west northern southern eastern western ouch ow oops ugh ahh ohh aww shh psst yay nah
    ive im dont cant wont didnt doesnt isnt wasnt youre thats whats theres hes shes theyre weve youve ill id
    ofcourse atleast gonna wanna gotta
    oi oy yo dude bro bruh omg lol lmao wtf ew eww meh geez jeez gosh golly yikes pfft tch heh hah haha hm hmph
    hiya heya howdy blimey crikey bollocks sup ahem argh gah whoops welp yup mhm
    mija mijo mijita mijito habibi habibti bestie hon hun cariño querida querido
    in on at from to for with by of into onto upon after before since until till while though although because
    as than like without within through across against among""".split()
) | DEMONYMS
# STOP words that are also first names: kept where the text uses them as a person ("said May", "May's").
STOP_NAMES = frozenset("may april june august christian river".split())
# STOP words (places, buildings) that are surnames after a title: "Mrs. Hall", "Mr. Hill", "Miss Lane".
PLACE_SURNAMES = frozenset("street lane park hall house court church castle hill river lake".split())
# STOP words (months) that are surnames after a title: "Mrs. March", "Miss May".
MONTH_SURNAMES = frozenset("january february march april may june july august september october november december".split())
SURNAME_TITLES = frozenset("mr mrs miss ms mme mlle madame mademoiselle monsieur dr".split())
# Ranks and trades written before a surname as "Mr." is ("Lieutenant Park", "Detective Stone", "Coach Wood"): the
# title makes the word after it a surname although it is an English word.
SURNAME_RANKS = RANKS | frozenset(
    """detective inspector officer agent constable superintendent sheriff professor prof doctor nurse coach judge
    commander herr frau señor signor senor""".split()
)
# Words a text capitalises as forms of address, not names of their own ("Mother", "her Ladyship").
NOT_RESCUED = frozenset(
    """mother father brother sister aunt uncle cousin grandmother grandfather granny grandpa son daughter wife
    husband ladyship lordship majesty highness however""".split()
)
PLACE_PREP = frozenset("in at from into near through across via within inside outside".split())
#: Words ending in -s or -ed that are not verbs: no "X smiled" person cue after a name ("Ali was", "Ali always").
NOT_VERB = frozenset("was has is does this its his thus always perhaps less unless yes sometimes".split())


#: The past tense of common irregular verbs of action ("Nico drove", "Pim sat"), which :func:`verb_like` misses.
IRREGULAR_PAST = frozenset(
    """arose awoke bent bit blew broke brought built burst bought caught chose clung came crept cut dealt dug dove
    drew drank drove ate fell fed fought found flung flew forgot forgave froze got gave went ground grew hung
    heard hid held hurt kept knelt knew laid led leapt left lent lay lit lost made meant met paid put quit
    ran rang rode rose sat saw sang sank shook shot shut slept slid slung spoke spent spun spat split sprang stood
    stole stuck stung strode struck swept swam swung took taught tore told thought threw understood woke wore wept
    won wound wrote""".split()
)


def verb_like(word: str) -> bool:
    """Whether a lower-case word after a name reads as its verb ("Pim laughs", "June sighed"): -s or -ed, longer
    than three letters, none of :data:`NOT_VERB`."""
    return len(word) > 3 and word.endswith(("ed", "s")) and word not in NOT_VERB

#: Capital letters of the Latin alphabets, for character classes ("Élodie", "Łukasz", "Ömer", "Şule"), and the
#: letters a name is written in.
LATIN_UPPER = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x250)) if c.isupper())
LATIN_LETTERS = "A-Za-z0-9" + "".join(c for c in map(chr, range(0xC0, 0x250)) if c.isalpha())

# ---------------------------------------------------------------------------------------------- first names

NICKNAMES: dict[str, str] = {
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
MALE_NAMES = frozenset(
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
FEMALE_NAMES = frozenset(
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


#: Other names a nickname of :data:`NICKNAMES` is short for ("Ned" is Edward's, and also Edmund's and Edwin's).
NICKNAME_ALSO: dict[str, tuple[str, ...]] = {
    "ned": ("edmund", "edwin"),
    "ted": ("theodore", "edmund"),
    "teddy": ("theodore",),
    "kit": ("catherine",),
    "harry": ("harold",),
    "hal": ("harold",),
    "nell": ("helen", "ellen"),
    "nelly": ("helen", "ellen"),
    "tony": ("antonia",),
    "sam": ("samantha",),
    "alex": ("alexandra",),
    "sandy": ("alexandra",),
    "fred": ("alfred", "frederica"),
    "freddy": ("alfred",),
    "frank": ("franklin",),
    "bella": ("arabella",),
    "bert": ("albert", "herbert", "bertram"),
    "bertie": ("albert", "herbert", "bertram"),
    "jo": ("joseph",),
    "pat": ("patricia",),
    "nick": ("nicola",),
    "chris": ("christine", "christina"),
}


def canon_first(w: str) -> str:
    """A first name in lower case with its nickname resolved ("Lizzy" → "elizabeth"), a doubled one too ("Jojo",
    as "Jo" → "josephine")."""
    wl = w.lower()
    half = wl[: len(wl) // 2]
    if wl not in NICKNAMES and len(wl) in (4, 6) and wl == half * 2:
        wl = half
    return NICKNAMES.get(wl, w.lower())


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance between two words, or ``limit + 1`` once it is sure to exceed ``limit``."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def first_readings(w: str) -> tuple[str, ...]:
    """Every canonical first name ``w`` may stand for: :func:`canon_first`'s, then the other names a nickname is
    short for ("Ned": edward, edmund, edwin)."""
    canon = canon_first(w)
    return (canon, *(r for r in NICKNAME_ALSO.get(w.lower(), ()) if r != canon))


#: First names given to both men and women today ("Sam" for Samantha, "Alex" for Alexandra, "Jordan"): no prior
#: either way, so that the narration's pronouns decide.
UNISEX_NAMES = frozenset(
    """alex sam charlie jamie frankie jordan ashley sasha jess casey riley taylor morgan robin kim leslie jesse billie
    bobbie drew avery quinn rowan sage skyler blair""".split()
)


def name_prior(first: str) -> str | None:
    """``m`` / ``f`` when a first name (or the name its nickname stands for) belongs to one gender's list; none for
    one of :data:`UNISEX_NAMES`."""
    w = first.lower()
    if w in UNISEX_NAMES:
        return None
    w = NICKNAMES.get(w, w)
    if w in MALE_NAMES and w not in FEMALE_NAMES:
        return "m"
    if w in FEMALE_NAMES and w not in MALE_NAMES:
        return "f"
    if first.lower() in FEMALE_NAMES:
        return "f"
    if first.lower() in MALE_NAMES:
        return "m"
    return None


# ---------------------------------------------------------------------------------------------- speech verbs

SPEECH_LEMMAS = frozenset(
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
    for lemma in SPEECH_LEMMAS:
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

#: The speech verbs the quotes stage looks for in narration, in the order its regex tries them.
QUOTE_TAG_VERBS: tuple[str, ...] = tuple(
    w.replace("_", " ")  # "went_on", "cried_out": two-word verbs
    for w in """said says say asked asks ask replied replies answered answers cried cries whispered whispers murmured
    murmurs shouted shouts called calls added adds continued continues went_on exclaimed exclaims snapped snaps
    muttered mutters mumbled mumbles repeated repeats began begins returned observed remarked spits spat sighed
    sighs admitted admits declared declares insisted insists laughed laughs sobbed sobs pleaded pleads
    interrupted interrupts yelled yells screamed screams growled growls breathed breathes hissed hisses
    told tells demanded demands whimpered stammered stammers states stated rejoined resumed cried_out explained
    explains thought thinks wondered wonders""".split()
)
#: One of :data:`QUOTE_TAG_VERBS` as a whole word.
SPEECH_VERB_RE = re.compile(r"\b(?:" + "|".join(QUOTE_TAG_VERBS) + r")\b")


def speech_verb(word: str) -> bool:
    """A verb of speech, in any of the forms the attribution stage knows ("said", "roared", "chanted")."""
    return word.lower() in SPEECH_VERBS or SPEECH_VERB_RE.fullmatch(word) is not None


#: A speech verb (or "saying", a bare "say/cry/exclaim/answer/reply") ending the text, optionally with "," or ":".
_SAY_LEMMAS = ("say", "saying", "cry", "exclaim", "answer", "reply")
SAY_BEFORE_RE = re.compile(r"\b(?:" + "|".join((*QUOTE_TAG_VERBS, *_SAY_LEMMAS)) + r")\s*[,:]?[ \t\n]*$")

# ---------------------------------------------------------------------------------------------- name particles

#: Lower-case particles inside names ("van der Luyden", "de Winter").
PARTICLES = frozenset("de du des von van le la di da del der den ten ter".split())
#: A possessive ending ("Ali's", "Ali’s").
APOS_S = re.compile(r"['’]s$")

# ---------------------------------------------------------------------------------------------- vocatives

#: Words that may lead a name addressed inside a quotation ("Oh, Ali", "my dear Hastings", "Well, old Pet").
VOCATIVE_LEADS: tuple[str, ...] = (
    "oh", "o", "ah", "dear", "my", "my dear", "dearest", "but", "well", "yes", "no", "good", "poor", "old",
    "hello", "hi", "hey", "thank you", "thanks", "sorry", "please", "goodbye", "mon ami", "mon cher", "ma chère",
    "come",
)  # fmt: skip
#: One of :data:`VOCATIVE_LEADS` ending the text (any case).
VOCATIVE_LEAD_RE = re.compile(r"(?i)(?:\b(?:" + "|".join(VOCATIVE_LEADS) + r")\s*)$")

# ------------------------------------------------------------------------------------------ attribution
# Words the attribution stage parses narration with (tags, subjects, descriptions, vocatives).

#: Words that end a noun phrase ("the old man *with*…", "the girl*,*").
NP_STOP = frozenset(
    """as when while and with in to at on of for from by who which that whom whose but or then so if after before
    because though although into upon near beside behind,""".split()
) | {",", ".", ";", ":", "!", "?", "—"}
#: Prepositions whose definite phrase makes a description someone of their own: "the man with the beard", "a lady
#: in the group", "the elder of the two" (not "by", "near", "behind": stop 51 measured a wrong cast entry more).
DESCRIPTION_PREPS = frozenset("with in of".split())
#: Personal pronouns and possessives of a single person (the narrator's and the third person's).
PERSON_PRONOUNS = frozenset("i me my myself he him his himself she her hers herself".split())
#: Relatives named by their title of address: "her mother" is Mrs. + the daughter's surname.
FAMILY_TITLES = {"mother": ("f", "mrs"), "father": ("m", "mr"), "wife": ("f", "mrs"), "husband": ("m", "mr")}
#: Subject pronouns → gender ("narr": the first-person narrator, "pl": a plural).
SUBJECT_PRONOUNS = {"he": "m", "she": "f", "i": "narr", "they": "pl", "we": "pl"}
#: Possessive determiners → gender.
POSSESSIVE_PRONOUNS = {"his": "m", "her": "f", "my": "narr"}
#: Object pronouns → gender.
OBJECT_PRONOUNS = {"him": "m", "her": "f", "me": "narr"}
#: Determiners that open a description ("the old man", "her sister").
DETERMINERS = frozenset("the a an his her my their our your this that its one".split())
#: Words that may stand between a subject and its speech verb ("she *then* said", "he *had* asked").
TAG_FILLERS = frozenset(
    "had has have was then again now at last finally softly quietly only just still also once more thus aloud "
    "presently".split()
)
#: Person nouns of each gender ("said the *barman*", "the old *woman*").
PERSON_NOUNS_M = frozenset(
    "man gentleman boy lad father son brother husband uncle king prince lord sir fellow master grandfather "
    "nephew duke count baron waiter landlord footman butler policeman mariner barman cabman coachman driver "
    "porter sailor soldier clerk constable postman shopman gardener groom bridegroom priest vicar curate rector "
    "monk abbot emperor general colonel captain major officer inspector detective doctor steward boatman "
    "fisherman farmer shepherd innkeeper landlord gentleman chap".split()
)
PERSON_NOUNS_F = frozenset(
    "woman lady girl mother daughter sister wife aunt queen princess maid grandmother niece duchess "
    "countess baroness nurse governess landlady housekeeper maid parlourmaid housemaid widow actress "
    "waitress nun abbess empress bride hostess mistress".split()
)
#: Forms of address said to a man ("sir", "my boy"); the other gendered vocatives are said to a woman.
MALE_VOCATIVES = frozenset("sir sirs gentlemen mister lad boy sonny son monsieur signor señor squire".split())
#: English forms of address that are no one's name when they stand alone ("Mister, sir, Mister--a humble
#: surgeon"); a bare "Mademoiselle" or "Madame" is often one woman of the story (Mademoiselle Reisz).
ADDRESS_WORDS = frozenset("mister sir sirs madam ma'am".split())
#: Relatives: "the mother" is someone's mother, no description of a stranger.
KIN = frozenset(
    "mother father wife husband son daughter brother sister uncle aunt nephew niece grandfather "
    "grandmother bride bridegroom widow".split()
)
#: Family words a story writes as a name, with a capital, in its narration ("said Mum", "except Mum", "Dad went
#: out"): that parent's name where the story gives no other; with their gender.
KIN_NAMES: Mapping[str, str] = {
    **dict.fromkeys("mum mom mummy mommy mama mamma ma gran granny grandma gramma nan nana".split(), "f"),
    **dict.fromkeys("dad daddy papa pa grandpa granddad grandad gramps".split(), "m"),
}
#: Person nouns too generic to make a role of their own ("the young man", "the other", "her friend").
GENERIC_PERSON_NOUNS = frozenset(
    """man woman gentleman lady boy girl lad fellow child youth person stranger voice other former latter one
    visitor figure speaker companion friend creature first second last elder younger eldest youngest pair two
    others rest party guest host hostess newcomer chap father mother son daughter brother sister husband wife
    uncle aunt nephew niece grandfather grandmother cousin master mistress""".split()
)
#: Epithets a name may open with to tell two people of one first name apart ("Big Tom", "Old Jolyon").
EPITHETS = frozenset("big little old young long tall fat".split())
#: Ordinals that tell people of one description apart ("the first man", "the second man").
ORDINALS = frozenset("first second third fourth fifth sixth".split())
#: Endings of abstract nouns and of nouns naming people, for a description's head noun that neither the person
#: lexicon nor the learned person-noun table (``models/persons/person_nouns.json``) knows.
NON_PERSON_ENDING = re.compile(r"(?:ion|ment|ness|ity|ship|ance|ence|ing|ure|ism)$")
#: Endings of agent nouns, and of compounds whose last part names a person ("midwife", "barmaid", "potboy",
#: "blacksmith", "wheelwright", "shepherd").
PERSON_ENDING = re.compile(r"(?:er|or|ist|man|men|ess|ian|ant|ent|ee|ard|ier|eer|ite|ic|wife|maid|boy|girl|smith|wright|herd)$")
#: The learned table calls a word a person's head from this share of its lower-case uses; it lists words used at
#: least this many times (see ``fabula.training.nouns``).
PERSON_NOUN_THRESHOLD = 0.2
PERSON_NOUN_MIN_COUNT = 3


def person_noun_rule(head: str) -> bool:
    """Whether a head noun can name a person by the lexicon and its ending (``croupier``, ``chairman``), not a
    thing or an abstraction (``cross-examination``)."""
    if head in PERSON_NOUNS_M or head in PERSON_NOUNS_F or head in TITLES:
        return True
    return not NON_PERSON_ENDING.search(head) and bool(PERSON_ENDING.search(head))


def person_noun(head: str, shares: Mapping[str, float]) -> bool:
    """:func:`person_noun_rule`, vetoed when ``shares`` (a learned table: the share of a word's lower-case uses
    that head a person mention) puts the word under :data:`PERSON_NOUN_THRESHOLD`; the person lexicon's own nouns
    are never vetoed."""
    if not person_noun_rule(head):
        return False
    share = shares.get(head)
    return share is None or share >= PERSON_NOUN_THRESHOLD or head in PERSON_NOUNS_M or head in PERSON_NOUNS_F


#: Prepositions before a name that make it no clause's subject ("stopped *by* Miss Tilney").
PREPOSITIONS = frozenset("to with by for from at of in on upon into than as".split())
#: Words that open a group as the subject of a speech verb ("cried *several* voices", "*all* exclaimed"): the
#: quotation is a crowd's, nobody's in particular.
GROUP_SUBJECTS = frozenset("several many all both everyone everybody voices others".split())
#: Plural person nouns that do not end in -s ("said the *men*"), and nouns of a crowd.
PLURAL_PERSON_NOUNS = frozenset(
    "men women children people gentlemen gentlefolk folk crowd chorus populace mob throng".split()
)
#: Nouns of speech: '"…," was Mrs. Allen's reply'.
SPEECH_NOUNS = frozenset(
    """reply answer rejoinder response remark exclamation observation retort comment language speech words cry
    salutation greeting question inquiry enquiry explanation advice""".split()
)
#: Verbs of hearing: in "Archer heard Reggie say", the one heard speaks.
PERCEPTION_VERBS = frozenset("heard hear hears overheard overhear".split())
#: Tokens after which a new clause (and so a new subject) may start.
CLAUSE_STARTERS = frozenset([",", ";", "—", "and", "but", "then", "so", "when", "while", "as", "till", "until"])


#: A letter's salutation ("My dearest Kit,", "Dear Sir,", "Madam,"), at the start of its line.
SALUTATION = re.compile(
    r"(?i:(?:my[ \t\n]+(?:own[ \t\n]+)?)?(?:dear(?:est)?(?![ \t\n]+me\b)|darling|sir|madam|madame|gentlemen))\b"
)
#: A letter's valediction ("Yours ever,", "Your loving sister,", "Believe me,"), at the start of its line.
VALEDICTION = re.compile(
    r"(?i:yours|your[ \t\n]+(?:\w+[ \t\n]+){0,3}(?:affectionate|loving|obedient|sincere|faithful|devoted|grateful|ever)"
    r"|ever[ \t\n]+yours|believe[ \t\n]+me|sincerely|faithfully|affectionately|with[ \t\n]+(?:love|kind))\b"
)
