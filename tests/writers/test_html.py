"""HTML report: self-contained, escaped, degrades without arcs or relationships, text preserved exactly."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from fabula.story import Arc, Arcs, Character, NonStory, Quote, Span, Story, StoryArc
from fabula.writers.html import arc_series, arc_svg, context, csp, quote_title, render, script, text_html

from .conftest import build_full

VOID = {"meta", "br", "hr", "img", "input", "link", "rect", "line", "polyline", "circle"}


class _Checker(HTMLParser):
    """Collects the tag structure; fails on unbalanced tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def parse(doc: str) -> _Checker:
    p = _Checker()
    p.feed(doc)
    p.close()
    assert p.stack == [], p.stack
    return p


def plain(fragment: str) -> str:
    """The text of an HTML fragment: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def hostile_story() -> Story:
    story = build_full()
    story.characters[1].name = "<script>alert('x')</script>"
    story.characters[1].aliases = ['"><img src=x onerror=alert(1)>']
    story.meta["title"] = "</title><script>alert(2)</script>"
    story.meta["tags"] = {"Fandom": ["<b>bold</b>"]}
    story.relationships[0].summary = "<script>alert(3)</script> & more"
    story.relationships[0].names = {"alana": "Alana", "ares": "<i>Ares</i>"}
    return story


def test_self_contained_and_well_formed() -> None:
    doc = render(build_full())
    p = parse(doc)
    assert p.tags.count("script") == 1 and "link" not in p.tags and "img" not in p.tags
    assert not re.search(r"\bsrc=", doc)
    assert all(h.startswith("#") for h in re.findall(r'href="([^"]*)"', doc))  # in-page links only
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", doc))
    assert urls <= {"http://www.w3.org/2000/svg"}
    assert doc.startswith("<!DOCTYPE html>")


def test_content_security_policy_allows_only_the_inline_script_by_hash() -> None:
    doc = render(build_full())
    found = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', doc)
    assert found is not None
    policy = html.unescape(found.group(1))
    assert policy.startswith("default-src 'none'") and "img-src data:" in policy
    inline = re.search(r"<script>(.*?)</script>", doc, re.S)
    assert inline is not None
    body = inline.group(1)
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy and "unsafe-inline'; img" in policy
    assert policy == csp(script())


def test_everything_is_escaped() -> None:
    doc = render(hostile_story())
    p = parse(doc)
    assert p.tags.count("script") == 1 and "img" not in p.tags
    assert "<script>alert" not in doc and "<b>bold</b>" not in doc and "<i>Ares</i>" not in doc
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in doc
    assert "&lt;/title&gt;&lt;script&gt;alert(2)" in doc
    assert all(not name.startswith("on") for name, _ in p.attrs)
    # The story text itself holds "<Door>" and "<3".
    assert "&lt;Door&gt;" in doc and "&lt;3" in doc


def test_sections_of_a_full_report() -> None:
    story = build_full()
    doc = render(story)
    for anchor in ('id="sections"', 'id="cast"', 'id="arc"', 'id="relationships"', 'id="craft"', 'id="text"'):
        assert anchor in doc
    assert "15,600" in doc and "reads" in doc  # Wattpad stats
    assert "The Door" in doc and "by someone" in doc
    assert "<polyline" in doc and "falls into a low and climbs back out" in doc  # arc in words
    assert "more positive" in doc and "more negative" in doc
    assert "Alana asks to leave once; Ares refuses once." in doc  # the summary stands in without a narrative
    assert 'class="dom"' in doc and "width:37.5%" in doc  # dominance -0.25 -> a's share 37.5 %
    assert "Ares has a slight upper hand" in doc
    assert 'class="chart spark"' in doc  # conflict over time
    assert 'data-kind="author note"' in doc
    assert "The whole story · third person, past" in doc
    assert "{" not in plain(doc.split("<body>")[1].split('<div class="text">')[0]).replace("{{", "")


def test_header_title_falls_back_to_heading_then_file_name() -> None:
    story = build_full()
    del story.meta["title"]
    assert context(story)["header"]["title"] == "Chapter 1: The <Door>"
    story.chapters[0].heading = None
    story.chapters[0].title = None
    story.nonstory = []
    assert context(story)["header"]["title"] == "door.txt"


def test_report_without_arcs_or_relationships() -> None:
    story = build_full()
    story.arcs = None
    story.relationships = []
    doc = render(story)
    parse(doc)
    assert "No feeling arc" in doc and "No relationships" in doc
    assert "<polyline" not in doc and 'class="card"' not in doc


def test_bare_story_renders(bare: Story) -> None:
    doc = render(bare)
    parse(doc)
    assert "Untitled story" in doc
    assert bare.text.strip() in doc
    ctx = context(bare)
    assert ctx["arc_svg"] is None and ctx["relationships"] == [] and ctx["cast"] == []


def test_quote_hover_titles() -> None:
    story = build_full()
    names = {c.id: c.name for c in story.characters}
    assert quote_title(story.quotes[0], names) == (
        "Alana → Ares · feeling: desire · act: asks for something · confidence 93% (named in a tag)")
    assert quote_title(Quote(9, [(0, 1)]), names) == "unknown speaker"
    assert quote_title(Quote(9, [(0, 1)], type="group"), names) == "several voices at once"
    assert quote_title(Quote(9, [(0, 1)], type="written"), names) == "written text"
    doc = render(story)
    assert 'data-tip="Ares → Alana · act: refuses · confidence 71% (untagged)"' in doc
    assert 'data-who="Alana"' in doc and 'tabindex="0"' in doc and 'data-feel="desire"' in doc


def test_quotes_coloured_per_speaker() -> None:
    story = build_full()
    fragment = str(text_html(story, {"alana": "#112233", "ares": "#445566"}))
    assert fragment.count("solid #112233") == 4  # Alana: two quotes, two sub-spans each
    assert fragment.count("solid #445566") == 1
    assert '<em class="th">She can&#39;t mean it.</em>' in fragment
    story.quotes[1].confidence = 0.2
    assert 'class="q s1 low"' in str(text_html(story, {}, {"alana": "s0", "ares": "s1"}))


def test_text_survives_exactly() -> None:
    story = build_full()
    assert plain(str(text_html(story))) == story.text


def test_arc_series_reads_the_arcs_stage_layout() -> None:
    assert arc_series(Arc(2, dct=[0.0, 1.0], dct_level=[0.5, 0.25])) == [0.5, 0.25]
    assert arc_series(Arc(2, dct=[0.0, 1.0])) == [0.0, 1.0]
    assert arc_series(Arc(2, dct_level=[0.123456, 1.0])) == [0.1235, 1.0]  # as the JSON holds it
    assert arc_series(Arc(1, dct=None)) is None
    assert arc_series(Arc(1, dct=[1.0])) is None
    assert arc_series(None) is None
    story = Story(text="x", arcs=Arcs(StoryArc(0)))
    assert arc_svg(story) is None
    story.arcs = Arcs(StoryArc(2, dct_level=[0.0, float("nan")]))
    assert arc_svg(story) is None


@st.composite
def spans_story(draw: st.DrawFn) -> Story:
    text = draw(st.text(min_size=1, max_size=150))
    cut = st.integers(0, len(text))

    def span() -> tuple[int, int]:
        a, b = draw(cut), draw(cut)
        return min(a, b), max(a, b)

    story = Story(text=text, characters=[Character("c", draw(st.text(max_size=8)))])
    n_quotes = draw(st.integers(0, 4))
    story.quotes = [Quote(i, [span(), span()], draw(st.sampled_from([None, "c"]))) for i in range(n_quotes)]
    story.nonstory = [NonStory(*span(), "author_note") for _ in range(draw(st.integers(0, 2)))]
    story.thoughts = [Span(*span()) for _ in range(draw(st.integers(0, 2)))]
    return story


@settings(max_examples=80, deadline=None)
@given(spans_story())
def test_any_overlap_gives_balanced_html_and_the_same_text(story: Story) -> None:
    fragment = str(text_html(story))
    parse(fragment)
    assert plain(fragment) == story.text
    parse(render(story))


def test_characters_who_share_a_name_are_told_apart_in_the_report() -> None:
    """Two unnamed men of two chapters are "the man (ch. 1)" and "the man (ch. 2)" in the cast, the quotations'
    hover cards and the relationships; a name no one else has is shown as it is."""
    from fabula.story import Chapter
    from fabula.writers.names import display_names

    text = 'Chapter 1\n\n"Halt," the man said to Ann.\n\nChapter 2\n\n"Fares," the man said.\n'
    a, b = text.index("Halt"), text.index("Fares")
    story = Story(
        text=text,
        chapters=[Chapter(0, text.index("Chapter 2")), Chapter(text.index("Chapter 2"), len(text))],
        characters=[Character("u0", "the man", quotes=1), Character("u1", "the man", quotes=1),
                    Character("ann", "Ann")],
        quotes=[Quote(0, [(a, a + 5)], speaker="u0", addressees=["ann"]), Quote(1, [(b, b + 6)], speaker="u1")],
    )
    assert display_names(story) == {"u0": "the man (ch. 1)", "u1": "the man (ch. 2)", "ann": "Ann"}
    one = Story(text=text, characters=story.characters, quotes=story.quotes)  # no chapters: by order
    assert display_names(one) == {"u0": "the man (1)", "u1": "the man (2)", "ann": "Ann"}
    ctx = context(story)
    assert {r["name"] for r in ctx["cast"]} >= {"the man (ch. 1)", "the man (ch. 2)"}
    doc = render(story)
    assert 'data-who="the man (ch. 2)"' in doc and "the man (ch. 1) → Ann" in html.unescape(doc)
    from fabula.writers.summary import render as summary

    assert "the man (ch. 1)" in summary(story) and "the man (ch. 2)" in summary(story)


def test_acts_of_equal_count_are_listed_by_name() -> None:
    """Ties between dialogue acts are broken by name, so the report is the same whatever the hash seed."""
    ctx = context(build_full())
    (rel,) = ctx["relationships"]
    labels = [row[0] for row in rel["rows"][3:] if row[0] != "exchanges ended"]
    assert labels == ["apologies", "refusals", "requests"]
