"""The pages: the start page (paste, upload, samples), an analysis's progress page, the report, the downloads.

A form post starts a job; a short text is usually done within ``Settings.inline_wait_s`` and goes straight to its
report, a long one to the progress page, which polls ``/api/jobs/{id}`` (and refreshes itself without script).
The report is the HTML writer's document with a bar of links put after ``<body>``; it is served with a policy
that hashes its own inline script and style (:func:`fabula.web.security.report_csp`).
"""

from __future__ import annotations

import asyncio
import io
import re
import time
import zipfile
from functools import lru_cache
from importlib import resources
from pathlib import PurePosixPath
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import escape

from fabula import __version__
from fabula.web import worker
from fabula.web.errors import Problem
from fabula.web.jobs import Job, Jobs
from fabula.web.routes_api import STAGES, _layers
from fabula.web.samples import SAMPLES, sample
from fabula.web.security import REPORT_BAR_CSS
from fabula.web.settings import Settings
from fabula.web.upload import FRAMING_BYTES, StoryInput, form_input, parse_multipart, read_body

STATIC = {"app.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8"}
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_SAFE_STEM = re.compile(r"[^A-Za-z0-9._-]+")


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("fabula.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@lru_cache(maxsize=len(STATIC))
def _static(name: str) -> bytes:
    return resources.files("fabula.web").joinpath("static", name).read_bytes()


def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = _env().get_template(template).render(version=__version__, **context)
    return HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})


def error_page(problem: Problem, heading: str = "That did not work") -> HTMLResponse:
    return page("error.html.j2", problem.status, problem=problem, heading=heading)


def stem(name: str) -> str:
    """A download file name's stem from the uploaded name (ASCII letters, digits, ``._-`` only)."""
    base = PurePosixPath(name).stem if name else ""
    clean = _SAFE_STEM.sub("_", base).strip("._")[:80]
    return clean or "story"


def with_bar(html: str, job: Job) -> str:
    """The report with the app's bar of links inserted right after ``<body>`` (no script; its one style element
    is hashed in every report's policy)."""
    jid = escape(job.id)
    bar = (
        f'<style>{REPORT_BAR_CSS}</style><nav class="fabula-web">'
        '<a class="brand" href="/">fabula</a>'
        f'<a href="/jobs/{jid}/download/json" download>Download JSON</a>'
        f'<a href="/jobs/{jid}/download/tsv" download>Download TSV tables (zip)</a>'
        f'<a href="/jobs/{jid}/download/html" download>Download this report</a>'
        '<a href="/">Analyse another text</a></nav>'
    )
    m = _BODY.search(html)
    return html[: m.end()] + bar + html[m.end() :] if m else bar + html


def tsv_zip(tables: dict[str, str], name: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for suffix, content in tables.items():
            zf.writestr(f"{name}{suffix}", content)
    return buf.getvalue()


def find(jobs: Jobs, job_id: str) -> Job:
    job = jobs.get(job_id)
    if job is None:
        raise Problem(404, "not_found", "no such analysis (results are kept for a while, then dropped)")
    return job


def router(settings: Settings, jobs: Jobs) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    def start(problem: Problem | None = None, text: str = "") -> HTMLResponse:
        return page(
            "start.html.j2",
            problem.status if problem else 200,
            problem=problem,
            text=text,
            samples=list(SAMPLES.items()),
            stages=STAGES,
            max_mb=f"{settings.max_upload_mb:g}",
        )

    @pages.api_route("/", methods=["GET", "HEAD"])
    async def index() -> HTMLResponse:
        return start()

    @pages.post("/analyze")
    async def analyze(request: Request) -> Response:
        pasted = ""
        try:
            ctype = request.headers.get("content-type", "")
            if not ctype.lower().startswith("multipart/form-data"):
                raise Problem(415, "unsupported_type", "the form must be sent as multipart/form-data")
            body = await read_body(request, settings.max_upload_bytes + FRAMING_BYTES)
            parts = parse_multipart(body, ctype)
            pasted = parts["text"].text() if "text" in parts else ""
            if "sample" in parts:
                name = parts["sample"].text()
                data = sample(name)
                if data is None:
                    raise Problem(404, "not_found", "no sample story by that name")
                story = StoryInput(data, name)
            else:
                story = form_input(parts, settings.max_upload_bytes)
            upto, skip = _layers(parts["upto"].text().strip() if "upto" in parts else None, [])
            req = worker.AnalyzeRequest(
                story, upto=upto, skip=skip, outputs=("json", "html", "tsv"), timeout_s=settings.timeout_s
            )
            job = jobs.submit(req, story.name or "pasted text")
        except Problem as p:
            return start(p, pasted if len(pasted) < 200_000 else "")
        try:
            await asyncio.wait_for(job.done.wait(), settings.inline_wait_s)
        except TimeoutError:
            return RedirectResponse(f"/jobs/{job.id}", status_code=303)
        if job.problem is not None:
            return start(job.problem, pasted if len(pasted) < 200_000 else "")
        return RedirectResponse(f"/jobs/{job.id}/report", status_code=303)

    @pages.get("/jobs/{job_id}")
    async def progress(job_id: str) -> Response:
        job = find(jobs, job_id)
        if job.state == "done":
            return RedirectResponse(f"/jobs/{job.id}/report", status_code=303)
        if job.problem is not None:
            return error_page(job.problem, f"Could not analyse {job.name}")
        return page("job.html.j2", job=job, elapsed=f"{time.time() - job.created:.1f}")

    @pages.get("/jobs/{job_id}/report")
    async def report(job_id: str) -> Response:
        job = find(jobs, job_id)
        if job.result is None:
            return RedirectResponse(f"/jobs/{job.id}", status_code=303)
        return HTMLResponse(
            with_bar(job.result["html"], job),
            headers={"content-security-policy": job.result["csp"], "cache-control": "no-store"},
        )

    files_routes(pages, jobs)
    return pages


def files_routes(pages: APIRouter, jobs: Jobs) -> None:
    """The downloads of a finished analysis, the sample texts and the static files (each from a fixed list)."""

    @pages.get("/jobs/{job_id}/download/{kind}")
    async def download(job_id: str, kind: str) -> Response:
        job = find(jobs, job_id)
        if job.result is None:
            raise Problem(409, "not_ready", "the analysis has not finished")
        name = stem(job.name if job.name != "pasted text" else "")
        if kind == "json":
            content: str | bytes = job.result["json"]
            media, filename = "application/json", f"{name}.json"
        elif kind == "tsv":
            content = tsv_zip(job.result["tsv"], name)
            media, filename = "application/zip", f"{name}.tsv.zip"
        elif kind == "html":
            content = job.result["html"]
            media, filename = "text/html; charset=utf-8", f"{name}.html"
        else:
            raise Problem(404, "not_found", "downloads are json, tsv and html")
        return Response(
            content,
            media_type=media,
            headers={
                "content-disposition": f'attachment; filename="{filename}"',
                "cache-control": "no-store",
                # a downloaded report opened from this origin still runs nothing it did not declare
                "content-security-policy": job.result["csp"] if kind == "html" else "default-src 'none'",
            },
        )

    @pages.get("/samples/{name}")
    async def sample_text(name: str) -> Response:
        data = sample(name)
        if data is None:
            raise Problem(404, "not_found", "no sample story by that name")
        return Response(data, media_type="text/plain; charset=utf-8")

    @pages.get("/static/{name}")
    async def static(name: str) -> Response:
        if name not in STATIC:
            raise Problem(404, "not_found", "no such file")
        return Response(_static(name), media_type=STATIC[name], headers={"cache-control": "max-age=300"})

    @pages.get("/favicon.ico")
    async def favicon() -> Response:
        return Response(status_code=204)
