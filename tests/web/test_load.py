"""A small load test on a real server (loopback, bounded): concurrent analyses all succeed while the health
endpoint keeps answering. Speed is not asserted here: latency, throughput and memory are measured by the
benchmark ``scripts/web_load.py`` (50 analyses; ``--health-ms`` fails it on a slow health check)."""

from __future__ import annotations

import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from tests.web.kit import SCENE


def _call(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=body, headers={"content-type": "application/json"} if body else {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def test_concurrent_analyses_while_health_answers() -> None:
    from fabula.web import Settings
    from fabula.web.serve import background

    with background(Settings(workers=2)) as url:
        port = urlsplit(url).port
        assert port is not None
        stop = threading.Event()
        health: list[int] = []

        def poll() -> None:
            while not stop.is_set():
                health.append(_call(port, "GET", "/api/health")[0])
                time.sleep(0.05)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        body = json.dumps({"text": SCENE}).encode()
        with ThreadPoolExecutor(8) as ex:
            results = list(ex.map(lambda _: _call(port, "POST", "/api/analyze", body), range(8), timeout=300))
        stop.set()
        poller.join(timeout=10)
    assert [s for s, _ in results] == [200] * 8
    assert all(json.loads(b)["schema"] == "fabula.story/1" for _, b in results)
    assert health and set(health) == {200}  # answered all through the load
