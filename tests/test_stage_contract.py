"""The stage contract: each stage changes exactly the Story fields it declares in ``writes``, reads only fields
written before it, and the pipeline refuses (or leaves out) a stage whose reads no earlier stage writes."""

from __future__ import annotations

import dataclasses
import gc
from typing import Any

import pytest

from fabula import api
from fabula.errors import PipelineError
from fabula.pipeline import READER_FIELDS, Stage, run, validate
from fabula.readers import load
from fabula.story import Story

#: Sub-fields of list layers that later stages fill in on items an earlier stage created.
SUBFIELDS = {
    "quotes": ("speaker", "addressees", "emotion", "act", "type", "confidence"),
    "sections": ("narrator",),
    "characters": ("narrator", "quotes"),
}

FIXTURE = """CHAPTER ONE

I had not slept. The rain kept on all night, and in the morning Anna came to the door.

"You look terrible, Kate," Anna said. "Did you sleep at all?"

"Not a wink," I said. "Come in, Anna. Tom is still asleep."

_She has been crying_, I thought. She laughed. "Tom sleeps through anything. Wake him, will you?"

* * *

CHAPTER TWO

Kate had gone out for bread. Tom Baker sat at the kitchen table, reading about Queen Victoria again.
Victoria was his hero. Anna poured the tea and smiled at him.

"Lovely morning," the postman said at the window.

"I'm so sorry, Tom," Anna whispered. "I never meant to hurt you."

"Get out!" Tom shouted. "I hate you! Get out of my house!"

"Please, Tom, don't send me away," she begged. "Please."

Tom stared at the window. "Fine. Stay, then," he said at last. "But you leave tomorrow, Anna."
"""


def _fields(story: Story) -> dict[str, Any]:
    """A comparable copy of every Story field but ``done``, with the sub-fields of :data:`SUBFIELDS` apart."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(Story):
        if f.name == "done":
            continue
        value = getattr(story, f.name)
        subs = SUBFIELDS.get(f.name, ())
        if not subs:
            out[f.name] = repr(value)
            continue
        out[f.name] = repr([{k: v for k, v in dataclasses.asdict(x).items() if k not in subs} for x in value])
        for sub in subs:
            out[f"{f.name}.{sub}"] = [repr(getattr(x, sub)) for x in value]
    return out


def _changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """Fields that differ; a sub-field counts when it changed on items that existed before (items a stage
    creates belong to the parent layer)."""
    out = set()
    for key, old in before.items():
        new = after[key]
        if "." in key:
            if old and old != new[: len(old)]:
                out.add(key)
        elif old != new:
            out.add(key)
    return out


def test_each_stage_changes_what_it_declares() -> None:
    story = load(FIXTURE)
    for st in api.pipeline():
        before = _fields(story)
        st(story)
        changed = _changed(before, _fields(story))
        assert changed == set(st.writes), st.name


class _Recording(Story):
    """A Story that notes which of its fields are read."""

    __slots__ = ("seen",)
    seen: set[str]

    def __getattribute__(self, name: str) -> Any:
        if name in _STORY_FIELDS:
            object.__getattribute__(self, "seen").add(name)
        return object.__getattribute__(self, name)


_STORY_FIELDS = {f.name for f in dataclasses.fields(Story)} - {"done"}


def test_each_stage_reads_only_what_it_declares() -> None:
    story = load(FIXTURE)
    for st in api.pipeline():
        rec = _Recording(**{f.name: getattr(story, f.name) for f in dataclasses.fields(Story)})
        rec.seen = set()
        st(rec)
        declared = {name.split(".")[0] for name in (*st.reads, *st.writes)}
        assert rec.seen <= declared, (st.name, rec.seen - declared)
        assert {name for name in st.reads if "." not in name} <= rec.seen, st.name
        story = rec


def test_every_read_is_written_earlier() -> None:
    stages = api.pipeline()
    assert [st.name for st in stages] == list(api.STAGE_ORDER)
    have = set(READER_FIELDS)
    fields = {f.name for f in dataclasses.fields(Story)}
    for st in stages:
        for name in (*st.reads, *st.writes):
            top, _, sub = name.partition(".")
            assert top in fields and (not sub or sub in SUBFIELDS[top]), (st.name, name)
        assert set(st.reads) <= have, st.name
        have.update(st.writes)


def test_skip_leaves_out_the_stages_that_read_its_fields() -> None:
    names = [st.name for st in api.pipeline(skip=["attribution"])]
    assert names == ["segment", "quotes", "characters", "emotion"]
    assert [st.name for st in api.pipeline(skip=["emotion"])] == [
        "segment", "quotes", "characters", "attribution", "acts", "craft",
    ]


def test_out_of_order_stages_fail_loudly() -> None:
    by_name = {st.name: st for st in api.pipeline()}
    plan = [by_name[n] for n in ("segment", "quotes", "acts")]
    with pytest.raises(PipelineError, match=r"quotes\.speaker"):
        validate(plan)
    with pytest.raises(PipelineError, match=r"quotes\.speaker"):
        api.analyze(FIXTURE, stages=plan)
    with pytest.raises(PipelineError, match=r"quotes\.speaker"):
        by_name["acts"](run(load(FIXTURE), plan[:2]))


def test_options_reach_the_stage_function() -> None:
    seen: list[dict[str, Any]] = []

    def probe(story: Story, *, level: int = 0, name: str = "") -> None:
        seen.append({"level": level, "name": name})

    st = Stage("probe-options", probe, reads=("text",))
    run(Story(text="x"), [st, st.with_options(level=2), st.with_options(level=2).with_options(name="n")])
    assert seen == [{"level": 0, "name": ""}, {"level": 2, "name": ""}, {"level": 2, "name": "n"}]
    assert dict(st.options) == {}


def test_the_collector_is_held_off_during_a_run_and_set_back() -> None:
    seen: list[bool] = []

    def probe(story: Story) -> None:
        seen.append(gc.isenabled())

    def fail(story: Story) -> None:
        raise RuntimeError("stage failed")

    st = Stage("probe-gc", probe, reads=("text",))
    was = gc.isenabled()
    try:
        gc.enable()
        run(Story(text="x"), [st])
        assert seen == [False] and gc.isenabled()
        with pytest.raises(RuntimeError):
            run(Story(text="x"), [st, Stage("fail", fail, reads=("text",))])
        assert gc.isenabled()
        gc.disable()  # a caller that keeps it off finds it off
        run(Story(text="x"), [st])
        assert not gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
