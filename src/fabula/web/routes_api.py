"""The JSON API: ``POST /api/analyze``, ``POST /api/emotions``, ``GET /api/health``, ``GET /api/version``,
``GET /api/jobs/{id}`` (the pages' progress) and ``GET /api/schema`` (the ``fabula.story/1`` JSON Schema).

Bodies are read here with the upload cap (413) and validated by the pydantic models below, which also describe
them in the OpenAPI document (``/api/openapi.json``).
"""

from __future__ import annotations

import time
from importlib import resources
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError

from fabula import __version__
from fabula.web import worker
from fabula.web.errors import Problem, one_line
from fabula.web.jobs import Jobs, Runner
from fabula.web.settings import Settings
from fabula.web.upload import FRAMING_BYTES, StoryInput, form_input, parse_multipart, read_body, text_input

SCHEMA_ID = "fabula.story/1"
STAGES = ("segment", "quotes", "characters", "attribution", "emotion", "acts", "arcs", "dynamics")


class AnalyzeBody(BaseModel):
    """A text to analyse and which layers to compute."""

    text: str = Field(description="The story text itself (never a file name).")
    upto: str | None = Field(None, description=f"Stop after this stage: one of {', '.join(STAGES)}.")
    skip: list[str] = Field(
        default_factory=list, description="Leave out these stages and every stage that reads what they write."
    )
    input_format: str | None = Field(
        None, description="Override format detection: text, wattpad, markdown, html, ao3."
    )


class AnalyzeForm(BaseModel):
    """``multipart/form-data``: a ``file`` (.txt, .md, .html, .epub) or a ``text`` field, and the layers."""

    file: bytes | None = Field(None, description="A story file: .txt, .text, .md, .markdown, .html, .htm, .xhtml, .epub")
    text: str | None = Field(None, description="The story text, when no file is sent.")
    upto: str | None = None
    skip: str | None = Field(None, description="Stage names separated by commas.")
    input_format: str | None = None


class EmotionsBody(BaseModel):
    """Utterances to label, in order (the dialogue act of each reads the one before)."""

    utterances: list[str] = Field(description="One utterance per item.")


class ErrorBody(BaseModel):
    status: int
    error: str
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": why}
    for code, why in (
        (400, "Bad options (an unknown stage)."),
        (413, "The upload, or an archive's decompressed content, exceeds the size limit."),
        (415, "Not a supported file type or content type."),
        (422, "The text cannot be read (empty, not text, a broken EPUB) or the request is malformed."),
        (503, "Too many analyses queued; try again."),
        (504, "The analysis ran past the time limit."),
    )
}


def _layers(upto: str | None, skip: list[str]) -> tuple[str | None, tuple[str, ...]]:
    upto = upto or None
    for name in [*([upto] if upto else []), *skip]:
        if name not in STAGES:
            raise Problem(400, "bad_request", f"unknown stage {name!r} (choose from {', '.join(STAGES)})")
    return upto, tuple(skip)


def _invalid(exc: ValidationError) -> Problem:
    errors = exc.errors()
    where = ".".join(str(x) for x in errors[0]["loc"]) if errors else ""
    msg = str(errors[0]["msg"]) if errors else "invalid request"
    return Problem(422, "invalid_request", one_line(f"{where}: {msg}" if where else msg))


async def parse_analyze(request: Request, settings: Settings) -> worker.AnalyzeRequest:
    """The analysis a ``POST /api/analyze`` (JSON or multipart) asks for."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    limit = settings.max_upload_bytes
    if ctype not in ("application/json", "multipart/form-data"):
        raise Problem(415, "unsupported_type", f"send application/json or multipart/form-data, not {ctype or 'nothing'}")
    body = await read_body(request, limit + FRAMING_BYTES)
    story: StoryInput
    if ctype == "application/json":
        try:
            parsed = AnalyzeBody.model_validate_json(body)
        except ValidationError as exc:
            raise _invalid(exc) from None
        story = text_input(parsed.text, limit)
        upto, skip, fmt = parsed.upto, parsed.skip, parsed.input_format
    else:
        parts = parse_multipart(body, request.headers["content-type"])
        story = form_input(parts, limit)
        upto = parts["upto"].text().strip() if "upto" in parts else None
        skip_text = parts["skip"].text() if "skip" in parts else ""
        skip = [s.strip() for s in skip_text.split(",") if s.strip()]
        fmt = parts["input_format"].text().strip() or None if "input_format" in parts else None
    upto, skip_t = _layers(upto, skip)
    return worker.AnalyzeRequest(
        story, upto=upto, skip=skip_t, input_format=fmt, outputs=("json",), timeout_s=settings.timeout_s
    )


def router(settings: Settings, runner: Runner, jobs: Jobs, started: float) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["api"])

    @api.post(
        "/analyze",
        summary="Analyse a story",
        response_description=f"The analysed story as a {SCHEMA_ID} JSON document (see /api/schema).",
        responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}}, **ERRORS},
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": AnalyzeBody.model_json_schema()},
                    "multipart/form-data": {"schema": AnalyzeForm.model_json_schema()},
                },
            }
        },
    )
    async def analyze(request: Request) -> Response:
        """Analyse a text (JSON ``{"text": ...}``) or an uploaded file (multipart ``file``), computing the layers
        asked for (``upto``, ``skip``), and return the ``fabula.story/1`` document."""
        req = await parse_analyze(request, settings)
        runner.reserve()
        try:
            out = await runner.call(worker.analyze, req)
        finally:
            runner.release()
        return Response(out["json"], media_type="application/json")

    @api.post(
        "/emotions",
        summary="Label utterances",
        responses=ERRORS,
        openapi_extra={
            "requestBody": {"required": True, "content": {"application/json": {"schema": EmotionsBody.model_json_schema()}}}
        },
    )
    async def emotions(request: Request) -> JSONResponse:
        """Each utterance's 28 GoEmotions scores, the labels predicted, the Ekman groups, valence/arousal/dominance
        and the dialogue act (as ``fabula emotions`` prints)."""
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise Problem(415, "unsupported_type", f"send application/json, not {ctype or 'nothing'}")
        body = await read_body(request, settings.max_upload_bytes)
        try:
            parsed = EmotionsBody.model_validate_json(body)
        except ValidationError as exc:
            raise _invalid(exc) from None
        if len(parsed.utterances) > settings.max_utterances:
            n, most = len(parsed.utterances), settings.max_utterances
            raise Problem(413, "too_large", f"{n} utterances; the limit is {most}")
        if not parsed.utterances:
            return JSONResponse({"results": []})
        runner.reserve()
        try:
            rows = await runner.call(worker.emotions, parsed.utterances, settings.timeout_s)
        finally:
            runner.release()
        return JSONResponse({"results": rows})

    @api.get("/health", summary="Is the server up")
    async def health() -> dict[str, Any]:
        """Answers at once, even while analyses run (they run in other processes)."""
        return {"status": "ok", "uptime_s": round(time.time() - started, 1), **runner.stats(), **jobs.stats()}

    @api.get("/version", summary="Versions")
    async def version() -> dict[str, Any]:
        return {"fabula": __version__, "schema": SCHEMA_ID, "stages": list(STAGES)}

    @api.get("/schema", summary=f"The {SCHEMA_ID} JSON Schema")
    async def schema() -> Response:
        data = resources.files("fabula").joinpath("schema", "story.schema.json").read_text(encoding="utf-8")
        return Response(data, media_type="application/schema+json")

    @api.get("/jobs/{job_id}", summary="Progress of an analysis started from the pages", responses={404: {"model": ErrorBody}})
    async def job_status(job_id: str) -> dict[str, Any]:
        job = jobs.get(job_id)
        if job is None:
            raise Problem(404, "not_found", "no such analysis (it may have expired)")
        return job.status()

    return api
