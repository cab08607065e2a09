"""HTML report: self-contained, escaped, degrades without arcs or relationships, text preserved exactly."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from fabula.story import Arc, Arcs, Character, NonStory, Quote, Span, Story, StoryArc
from fabula.writers.html import arc_series, arc_svg, context, quote_title, render, text_html

from .conftest import build_full

VOID = {"meta", "br", "hr", "img", "input", "link", "rect", "line", "polyline"}


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
    assert "script" not in p.tags and "link" not in p.tags and "img" not in p.tags
    assert not re.search(r"\b(src|href)=", doc)
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", doc))
    assert urls <= {"http://www.w3.org/2000/svg"}
    assert doc.startswith("<!DOCTYPE html>")


def test_everything_is_escaped() -> None:
    doc = render(hostile_story())
    p = parse(doc)
    assert "script" not in p.tags and "img" not in p.tags
    assert "<script>" not in doc and "<b>bold</b>" not in doc and "<i>Ares</i>" not in doc
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in doc
    assert "&lt;script&gt;alert(3)&lt;/script&gt; &amp; more" in doc
    assert all(not name.startswith("on") for name, _ in p.attrs)
    # The story text itself holds "<Door>" and "<3".
    assert "&lt;Door&gt;" in doc and "&lt;3" in doc


def test_sections_of_a_full_report() -> None:
    story = build_full()
    doc = render(story)
    for anchor in ('id="sections"', 'id="cast"', 'id="arc"', 'id="relationships"', 'id="text"'):
        assert anchor in doc
    assert "15,600" in doc and "reads" in doc  # Wattpad stats
    assert "Mature" in doc and "Alana/Ares" in doc  # tags
    assert "<polyline" in doc and "fall-rise" in doc  # arc plot and shape
    assert "Alana asks to leave once; Ares refuses once." in doc
    assert 'class="dom"' in doc and "width:37.5%" in doc  # dominance -0.25 -> a's share 37.5 %
    assert 'class="spark"' in doc  # conflict over time
    assert 'class="ns" title="author_note"' in doc


def test_report_without_arcs_or_relationships() -> None:
    story = build_full()
    story.arcs = None
    story.relationships = []
    doc = render(story)
    parse(doc)
    assert "No emotion arc" in doc and "No relationship dynamics" in doc
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
    assert quote_title(story.quotes[0], names) == "Alana → Ares · request · desire · explicit 0.93"
    assert quote_title(Quote(9, [(0, 1)]), names) == "? → ?"
    doc = render(story)
    assert 'title="Ares → Alana · refusal · implicit 0.71"' in doc


def test_quotes_coloured_per_speaker() -> None:
    story = build_full()
    fragment = str(text_html(story, {"alana": "#112233", "ares": "#445566"}))
    assert fragment.count("solid #112233") == 4  # Alana: two quotes, two sub-spans each
    assert fragment.count("solid #445566") == 1
    assert '<em class="th">She can&#39;t mean it.</em>' in fragment


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
