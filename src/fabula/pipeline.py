"""Stages and the pipeline that runs them in order, checking what each needs and provides."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fabula.errors import PipelineError
from fabula.story import Story


@dataclass(frozen=True, slots=True)
class Stage:
    """A named step: reads the layers in ``requires``, adds the layers in ``provides``."""

    name: str
    func: Callable[[Story], None]
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()

    def __call__(self, story: Story) -> Story:
        missing = [r for r in self.requires if r not in story.done]
        if missing:
            raise PipelineError(f"stage {self.name!r} needs {', '.join(missing)} to have run first")
        self.func(story)
        story.done.append(self.name)
        return story


def validate(stages: Sequence[Stage]) -> None:
    """Fail early when a stage is placed before one it requires."""
    seen: set[str] = set()
    for st in stages:
        missing = [r for r in st.requires if r not in seen]
        if missing:
            raise PipelineError(f"stage {st.name!r} needs {', '.join(missing)} earlier in the pipeline")
        seen.add(st.name)


def run(story: Story, stages: Sequence[Stage]) -> Story:
    validate_against = [Stage(name=n, func=lambda s: None) for n in story.done]
    validate([*validate_against, *stages])
    for st in stages:
        st(story)
    return story
