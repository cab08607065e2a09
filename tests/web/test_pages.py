"""The pages with TestClient: start page, form posts, progress, report, downloads, samples, escaping, CSP."""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from fabula.web.samples import SAMPLES, sample
from fabula.web.security import report_csp, sha256_source
from tests.web.kit import HOSTILE, PAYLOAD_IMG, PAYLOAD_SCRIPT, SCENE, epub

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def wait_done(client: TestClient, job_url: str, limit_s: float = 120) -> dict[str, object]:
    """Poll a job's status until it finishes; its last status."""
    deadline = time.monotonic() + limit_s
    while True:
        s: dict[str, object] = client.get(f"/api/jobs/{job_url.rsplit('/', 1)[1]}").json()
        if s["state"] in ("done", "failed") or time.monotonic() > deadline:
            return s
        time.sleep(0.05)


def _report_file(client: TestClient, name: str, data: bytes) -> tuple[str, str]:
    return _post(client, {"file": (name, data)})


def _report(client: TestClient, **form: str) -> tuple[str, str]:
    """Post the start form; return (report URL, report HTML)."""
    return _post(client, {k: (None, v) for k, v in form.items()})


def _post(client: TestClient, files: dict[str, tuple[str | None, str | bytes]]) -> tuple[str, str]:
    r = client.post("/analyze", files=files, follow_redirects=False)
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    if not url.endswith("/report"):  # not done within the inline wait (workers still warming up)
        wait_done(client, url)
        url += "/report"
    page = client.get(url)
    assert page.status_code == 200
    return url, page.text


def test_start_page(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    html = r.text
    assert 'name="text"' in html and 'type="file"' in html and 'accept=".txt' in html
    for name in SAMPLES:
        assert f'value="{name}"' in html
    assert "<script>" not in html and " style=" not in html  # nothing inline: the CSP allows none
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")


def test_paste_analyze_report_and_downloads(client: TestClient) -> None:
    url, html = _report(client, text=SCENE)
    assert 'class="fabula-web"' in html and "Odile" in html and 'class="q' in html
    base = url.rsplit("/", 1)[0]
    j = client.get(f"{base}/download/json")
    assert j.status_code == 200 and j.json()["schema"] == "fabula.story/1"
    assert 'filename="story.json"' in j.headers["content-disposition"]
    z = client.get(f"{base}/download/tsv")
    names = zipfile.ZipFile(io.BytesIO(z.content)).namelist()
    assert sorted(names) == ["story.characters.tsv", "story.entities", "story.quotes", "story.tokens"]
    h = client.get(f"{base}/download/html")
    assert h.status_code == 200 and "Odile" in h.text and "attachment" in h.headers["content-disposition"]
    assert client.get(f"{base}/download/passwd").status_code == 404


def test_upload_epub_through_the_form(client: TestClient) -> None:
    url, html = _report_file(client, "the ledger.epub", epub())
    assert "Bram" in html
    j = client.get(url.replace("/report", "/download/json"))
    assert 'filename="the_ledger.json"' in j.headers["content-disposition"]


def test_samples_by_name_only(client: TestClient) -> None:
    _, html = _report(client, sample="the_lighthouse_keeper.txt")
    assert "Tomas" in html and "Mara" in html
    for bad in ("../../pyproject.toml", "/etc/passwd", "..%2F..%2Fpyproject.toml", "samples.py"):
        assert client.get(f"/samples/{bad}").status_code == 404
        assert client.post("/analyze", files={"sample": (None, bad)}).status_code == 404
    for bad in ("../app.py", "..%2Fapp.py", "settings.py"):
        assert client.get(f"/static/{bad}").status_code == 404
    orchard = sample("the_orchard.md")
    assert orchard is not None and client.get("/samples/the_orchard.md").text == orchard.decode()


def test_bundled_samples_match_examples() -> None:
    if not EXAMPLES.is_dir():
        return
    for name in SAMPLES:
        assert sample(name) == (EXAMPLES / name).read_bytes(), f"src/fabula/web/samples/{name} != examples/{name}"


def test_form_errors_show_the_start_page_with_the_status(make_client: Callable[..., TestClient]) -> None:
    c = make_client(max_upload_mb=0.01)
    r = c.post("/analyze", files={"text": (None, "  ")})
    assert r.status_code == 422 and 'id="error"' in r.text and "no text to analyse" in r.text
    r = c.post("/analyze", files={"file": ("scan.pdf", b"%PDF")})
    assert r.status_code == 415 and "unsupported file type" in r.text
    r = c.post("/analyze", files={"file": ("big.txt", b"word " * 5000)})
    assert r.status_code == 413
    r = c.post("/analyze", data={"text": SCENE})  # not multipart
    assert r.status_code == 415
    assert "Traceback" not in r.text


def test_progress_page_then_report(make_client: Callable[..., TestClient]) -> None:
    c = make_client(inline_wait_s=0.0)
    r = c.post("/analyze", files={"text": (None, SCENE)}, follow_redirects=False)
    assert r.status_code == 303 and re.fullmatch(r"/jobs/[\w-]+", r.headers["location"])
    job = r.headers["location"]
    page = c.get(job, follow_redirects=False)
    if page.status_code == 200:
        assert 'id="progress"' in page.text and 'http-equiv="refresh"' in page.text
    s = wait_done(c, job)
    assert s["state"] == "done", s
    summary = s["summary"]
    assert isinstance(summary, dict) and summary["characters"] >= 2 and int(str(s["steps"])) >= 8
    done = c.get(job, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"{job}/report"


def test_failed_job_page_shows_the_reason(make_client: Callable[..., TestClient]) -> None:
    c = make_client(inline_wait_s=0.0, timeout_s=0.001)
    r = c.post("/analyze", files={"text": (None, SCENE * 10)}, follow_redirects=False)
    job = r.headers["location"]
    assert wait_done(c, job)["state"] == "failed"
    page = c.get(job)
    assert page.status_code == 504 and "longer than the limit" in page.text
    assert c.get("/jobs/nope/report").status_code == 404


def test_story_text_is_escaped(client: TestClient) -> None:
    _, html = _report(client, text=HOSTILE)
    assert PAYLOAD_SCRIPT not in html and "<img src=x" not in html and PAYLOAD_IMG not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "onerror=alert(1)" in html  # present only as escaped text
    j = client.post("/api/analyze", json={"text": HOSTILE, "upto": "segment"})
    assert j.headers["content-type"].startswith("application/json")  # data, never rendered as HTML
    assert PAYLOAD_SCRIPT in j.json()["text"]


def test_report_csp_hashes_its_own_inline_style(client: TestClient) -> None:
    url, html = _report(client, text=SCENE)
    csp = client.get(url).headers["content-security-policy"]
    assert "default-src 'none'" in csp and "unsafe-eval" not in csp and "http" not in csp
    assert "script-src-attr 'none'" in csp
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert style is not None and sha256_source(style.group(1)) in csp
    for attr in set(re.findall(r' style="([^"]*)"', html)):
        assert sha256_source(attr.replace("&amp;", "&")) in csp


def test_report_csp_unit() -> None:
    doc = '<html><head><style>p{color:red}</style><script>let a=1</script></head><body><p style="color:blue">x</p></body></html>'
    csp = report_csp(doc)
    assert sha256_source("p{color:red}") in csp and sha256_source("let a=1") in csp
    assert sha256_source("color:blue") in csp and "'unsafe-hashes'" in csp
    bare = report_csp("<html><body><p>x</p></body></html>")
    assert "script-src 'none'" in bare and "style-src-attr 'none'" in bare
