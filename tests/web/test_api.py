"""The JSON API with TestClient: every endpoint and every error status (400, 404, 413, 415, 422, 500, 503, 504)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fabula import __version__
from tests.web.kit import SCENE, epub, zip_bomb


def _error(r: Any, status: int, error: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["status"] == status
    assert error is None or body["error"] == error
    assert isinstance(body["detail"], str) and "\n" not in body["detail"] and body["detail"]
    assert "Traceback" not in r.text and 'File "' not in r.text
    return body


def test_health_and_version(client: TestClient) -> None:
    h = client.get("/api/health")
    assert h.status_code == 200 and h.json()["status"] == "ok" and h.json()["workers"] == 2
    v = client.get("/api/version").json()
    assert v["fabula"] == __version__ and v["schema"] == "fabula.story/1" and "attribution" in v["stages"]


def test_openapi_describes_every_endpoint_and_no_remote_docs(client: TestClient) -> None:
    doc = client.get("/api/openapi.json").json()
    for path in ("/api/analyze", "/api/emotions", "/api/health", "/api/version", "/api/schema"):
        assert path in doc["paths"]
    body = doc["paths"]["/api/analyze"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(body)
    assert {"413", "415", "422", "504"} <= set(doc["paths"]["/api/analyze"]["post"]["responses"])
    assert client.get("/docs").status_code == 404  # Swagger UI would load scripts from a CDN
    schema = client.get("/api/schema")
    assert schema.status_code == 200 and "properties" in schema.json()


def test_analyze_text_returns_a_story_document(client: TestClient) -> None:
    r = client.post("/api/analyze", json={"text": SCENE})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    doc = r.json()
    assert doc["schema"] == "fabula.story/1"
    names = {c["name"] for c in doc["characters"]}
    assert {"Odile", "Bram"} <= names
    assert len(doc["quotes"]) >= 5 and any(q.get("speaker") for q in doc["quotes"])


def test_analyze_validates_against_the_json_schema(client: TestClient) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = client.get("/api/schema").json()
    jsonschema.validate(client.post("/api/analyze", json={"text": SCENE}).json(), schema)


def test_analyze_layers_upto_and_skip(client: TestClient) -> None:
    quotes_only = client.post("/api/analyze", json={"text": SCENE, "upto": "quotes"}).json()
    assert quotes_only["quotes"] and not quotes_only.get("characters")
    no_emotion = client.post("/api/analyze", json={"text": SCENE, "skip": ["emotion"]}).json()
    assert no_emotion["characters"] and all(not q.get("emotion") for q in no_emotion["quotes"])
    form = client.post("/api/analyze", data={"text": SCENE, "upto": "quotes"}, files={"x": ("", b"")})
    assert form.status_code == 200 and not form.json().get("characters")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("scene.txt", SCENE.encode("utf-8")),
        ("scene.md", ("# One\n\n" + SCENE).encode("utf-8")),
        ("scene.html", ("<html><body>" + "".join(f"<p>{p}</p>" for p in SCENE.split("\n\n")) + "</body></html>").encode()),
        ("scene.txt", SCENE.encode("utf-16")),
    ],
)
def test_analyze_file_upload(client: TestClient, name: str, data: bytes) -> None:
    r = client.post("/api/analyze", files={"file": (name, data)})
    assert r.status_code == 200, r.text
    assert "Odile" in {c["name"] for c in r.json()["characters"]}


def test_analyze_epub_upload(client: TestClient) -> None:
    r = client.post("/api/analyze", files={"file": ("ledger.epub", epub(), "application/epub+zip")})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["source"]["format"] == "epub" and "Bram" in {c["name"] for c in doc["characters"]}


def test_400_unknown_stage(client: TestClient) -> None:
    _error(client.post("/api/analyze", json={"text": SCENE, "upto": "everything"}), 400, "bad_request")
    _error(client.post("/api/analyze", json={"text": SCENE, "skip": ["../etc"]}), 400, "bad_request")


def test_413_upload_too_large(make_client: Callable[..., TestClient]) -> None:
    c = make_client(max_upload_mb=0.01)  # 10 KB
    big = ("x " * 8000).encode()  # 16 KB
    _error(c.post("/api/analyze", files={"file": ("big.txt", big)}), 413, "too_large")
    _error(c.post("/api/analyze", json={"text": big.decode()}), 413, "too_large")
    # declared by Content-Length and refused before the body is read
    _error(c.post("/api/analyze", content=b"{}" + b" " * 200_000, headers={"content-type": "application/json"}), 413)
    _error(c.post("/api/emotions", json={"utterances": ["so long " * 2000]}), 413)
    assert c.post("/api/analyze", files={"file": ("ok.txt", SCENE.encode())}).status_code == 200


def test_413_too_many_utterances(make_client: Callable[..., TestClient]) -> None:
    c = make_client(max_utterances=3)
    _error(c.post("/api/emotions", json={"utterances": ["a", "b", "c", "d"]}), 413, "too_large")


def test_413_epub_zip_bomb(client: TestClient) -> None:
    bomb = zip_bomb(64)
    assert len(bomb) < 200_000
    _error(client.post("/api/analyze", files={"file": ("bomb.epub", bomb)}), 413, "too_large")


def test_415_unsupported_types(client: TestClient) -> None:
    _error(client.post("/api/analyze", files={"file": ("scan.pdf", b"%PDF-1.7 ...")}), 415, "unsupported_type")
    _error(client.post("/api/analyze", files={"file": ("noext", b"text")}), 415)
    _error(client.post("/api/analyze", content=SCENE.encode(), headers={"content-type": "text/plain"}), 415)
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    _error(client.post("/api/analyze", files={"file": ("photo.txt", png)}), 415)
    _error(client.post("/api/emotions", data={"utterances": "hi"}), 415)


def test_422_unreadable(client: TestClient) -> None:
    _error(client.post("/api/analyze", json={"text": "   \n "}), 422, "unreadable")
    _error(client.post("/api/analyze", files={"file": ("empty.txt", b"")}), 422, "unreadable")
    _error(client.post("/api/analyze", files={"file": ("broken.epub", b"PK\x03\x04 not a zip")}), 422, "unreadable")
    _error(client.post("/api/analyze", content=b"{not json", headers={"content-type": "application/json"}), 422)
    _error(client.post("/api/analyze", json={"story": SCENE}), 422, "invalid_request")
    _error(client.post("/api/emotions", json={"utterances": "not a list"}), 422, "invalid_request")


def test_422_epub_path_traversal(client: TestClient) -> None:
    for entry, href in (("../evil.xhtml", "../evil.xhtml"), ("/etc/passwd.xhtml", "/etc/passwd.xhtml")):
        body = _error(client.post("/api/analyze", files={"file": ("t.epub", epub(entry=entry, href=href))}), 422)
        assert "root" not in body["detail"]  # no server file content leaks into the reason


def test_504_analysis_time_limit(make_client: Callable[..., TestClient]) -> None:
    c = make_client(timeout_s=0.001)
    _error(c.post("/api/analyze", json={"text": SCENE * 20}), 504, "timeout")


def test_503_when_the_queue_is_full(make_client: Callable[..., TestClient]) -> None:
    c = make_client(max_queue=0)
    _error(c.post("/api/analyze", json={"text": SCENE}), 503, "busy")
    assert c.get("/api/health").status_code == 200


def test_404_and_405_are_json_under_api(client: TestClient) -> None:
    _error(client.get("/api/nothing"), 404, "not_found")
    _error(client.get("/api/jobs/not-a-job"), 404, "not_found")
    _error(client.get("/api/analyze"), 405)


def test_500_is_one_line_without_a_traceback() -> None:
    from fabula.web import Settings, create_app

    app = create_app(Settings(workers=1, preload=False))

    @app.get("/api/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals at /srv/app.py line 12")

    with TestClient(app, raise_server_exceptions=False) as c:
        body = _error(c.get("/api/boom"), 500, "internal")
        assert "secret" not in body["detail"] and "/srv" not in c.get("/api/boom").text
        page = c.get("/boom-page-does-not-exist")
        assert page.status_code == 404 and "text/html" in page.headers["content-type"]


def test_emotions(client: TestClient) -> None:
    r = client.post("/api/emotions", json={"utterances": ["I hate you!", "Why would you say that?", "Thank you."]})
    assert r.status_code == 200
    rows = r.json()["results"]
    assert [row["text"] for row in rows] == ["I hate you!", "Why would you say that?", "Thank you."]
    assert rows[0]["top"] in ("anger", "annoyance", "disapproval", "disgust")
    assert rows[1]["act"] == "question" and len(rows[0]["labels"]) == 28 and len(rows[0]["vad"]) == 3
    assert client.post("/api/emotions", json={"utterances": []}).json() == {"results": []}


def test_uploads_never_touch_the_disk(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 3 MB upload (Starlette's own form parser would spool it to a temporary file) is parsed in memory."""

    def refuse(*a: Any, **k: Any) -> Any:
        raise AssertionError("an upload was written to a temporary file")

    for name in ("SpooledTemporaryFile", "TemporaryFile", "NamedTemporaryFile", "mkstemp", "mkdtemp"):
        monkeypatch.setattr(tempfile, name, refuse)
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 12_000  # 3 MB, refused only after it was parsed
    assert len(data) > 2 * 2**20
    r = client.post("/api/analyze", files={"file": ("big.txt", data)})
    _error(r, 415, "unsupported_type")


def test_security_headers_on_every_response(client: TestClient) -> None:
    for r in (client.get("/"), client.get("/api/health"), client.get("/api/nothing"), client.get("/static/app.js")):
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "unsafe-eval" not in csp and "http" not in csp
        assert "'unsafe-inline'" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
