"""Stages and the pipeline that runs them in order, checking that every Story field a stage reads is written first.

A stage declares the :class:`~fabula.story.Story` fields it ``reads`` and ``writes`` — a top-level field
(``"paragraphs"``) or a sub-field of the quotations (``"quotes.speaker"``). A field is available when the reader
sets it (:data:`READER_FIELDS`) or an earlier stage writes it; a sub-field also needs its parent. Configuration is
passed in as the stage's ``options``: its function is called as ``func(story, **options)``.
"""

from __future__ import annotations

import gc
import importlib
import inspect
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from fabula.errors import PipelineError, UsageError
from fabula.story import Story

#: Story fields set by the readers, before any stage runs.
READER_FIELDS = ("text", "meta", "nonstory", "italics", "source")

@dataclass(frozen=True, slots=True)
class Stage:
    """A named step: reads the Story fields in ``reads``, sets those in ``writes``.

    ``func(story, **options)`` does the work; ``check(**options)``, when given, fails early (before any stage of
    the pipeline runs) when the options cannot work, e.g. a model's dependencies are missing."""

    name: str
    func: Callable[..., None]
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    check: Callable[..., object] | None = None

    def with_options(self, **opts: Any) -> Stage:
        """A copy of this stage with ``opts`` merged into its options (unknown option names: UsageError)."""
        known = option_names(self)
        unknown = sorted(set(opts) - set(known))
        if unknown:
            choices = ", ".join(known) or "none"
            raise UsageError(f"stage {self.name!r} has no option {', '.join(map(repr, unknown))} (options: {choices})")
        return replace(self, options=MappingProxyType({**self.options, **opts}))

    def __call__(self, story: Story) -> Story:
        missing = unavailable(self.reads, available(story.done))
        if missing:
            raise PipelineError(f"stage {self.name!r} needs {', '.join(missing)}, which no earlier stage wrote")
        self.func(story, **self.options)
        story.done.append(self.name)
        return story


def option_names(st: Stage) -> list[str]:
    """The parameters of ``st.func`` after the story: the options the stage takes."""
    params = list(inspect.signature(st.func).parameters.values())[1:]
    kinds = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in params if p.kind in kinds]


def _declared_writes(name: str) -> tuple[str, ...]:
    """What fabula's own stage ``name`` writes (read from its module's ``STAGE``); nothing for other names."""
    if not name.isidentifier():
        return ()
    try:
        module = importlib.import_module(f"fabula.stages.{name}")
    except ImportError:
        return ()
    st = getattr(module, "STAGE", None)
    return st.writes if isinstance(st, Stage) else ()


def available(done: Iterable[str]) -> set[str]:
    """The fields a story holds after the reader and the stages named in ``done`` (fabula's own stages; a stage
    of another package counts only within the pipeline that runs it)."""
    out = set(READER_FIELDS)
    for name in done:
        out.update(_declared_writes(name))
    return out


def unavailable(reads: Iterable[str], have: set[str]) -> list[str]:
    """The fields of ``reads`` not in ``have`` (a sub-field ``a.b`` also needs ``a``)."""
    return [f for f in reads if f not in have or f.split(".", 1)[0] not in have]


def validate(stages: Sequence[Stage], done: Iterable[str] = ()) -> None:
    """Fail early when a stage reads a field that neither the reader nor an earlier stage writes."""
    have = available(done)
    for st in stages:
        missing = unavailable(st.reads, have)
        if missing:
            raise PipelineError(f"stage {st.name!r} reads {', '.join(missing)}, which no earlier stage writes")
        have.update(st.writes)


def check(stages: Sequence[Stage]) -> None:
    """Run each stage's ``check(**options)`` hook: a missing dependency fails before any stage runs."""
    for st in stages:
        if st.check is not None:
            st.check(**st.options)


_gc_lock = threading.Lock()
_gc_runs = 0  # pipeline runs under way (threads of one process share the collector)
_gc_was_enabled = False


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    """The cyclic garbage collector held off while the body runs, then set back as it was (by the last of
    several threads' runs to end). A run allocates millions of objects and frees them by reference counting (a
    dev novel's run leaves no cyclic garbage), while the collector's full passes, each walking every live object,
    took 6-8% of a run's time. What a run leaves in cycles is collected once the collector is back on."""
    global _gc_runs, _gc_was_enabled
    with _gc_lock:
        if _gc_runs == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_runs += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_runs -= 1
            if _gc_runs == 0 and _gc_was_enabled:
                gc.enable()


def run(story: Story, stages: Sequence[Stage]) -> Story:
    """Validate the order and options of ``stages``, then run them over ``story`` (the cyclic garbage collector
    held off: :func:`no_gc_pauses`)."""
    validate(stages, story.done)
    check(stages)
    with no_gc_pauses():
        for st in stages:
            st(story)
    return story
