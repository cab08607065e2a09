"""Load test for ``fabula serve`` on loopback: N concurrent analyses of the seed stories, all must succeed.

Starts the server as a child process on a free 127.0.0.1 port, waits for ``/api/health``, then sends
``--requests`` (default 50) ``POST /api/analyze`` at once (the seeds in turn) while a second thread asks
``/api/health`` every 50 ms and a third samples the server's memory (the server process and its analysis
workers, RSS summed). Prints p50/p95/max latency, throughput, peak memory and the health latencies; stops by
itself (``--deadline``) and always stops the server. Exit status 1 if any analysis failed or a health check took
longer than ``--health-ms``.

    .venv/bin/python scripts/web_load.py [--requests 50] [--workers N] [--seeds ../shared/data/seeds]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def request(port: int, method: str, path: str, body: bytes | None = None, timeout: float = 600) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"content-type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    children = _children()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d.name))
    return children


def tree_rss(pid: int) -> int:
    """RSS in bytes of ``pid`` and all its descendants (Linux /proc)."""
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    for p in descendants(pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * page
    return total


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=50)
    ap.add_argument("--workers", type=int, default=None, help="analysis processes (default: the server's)")
    ap.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "data" / "seeds")
    ap.add_argument("--deadline", type=float, default=600.0, help="give up after this many seconds")
    ap.add_argument("--health-ms", type=float, default=100.0)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()

    texts = [p.read_text(encoding="utf-8") for p in sorted(args.seeds.glob("*.txt"))]
    if not texts:
        texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.txt"))]
        print(f"no seeds under {args.seeds}; using examples/", file=sys.stderr)
    port = free_port()
    cmd = [sys.executable, "-c", "from fabula.cli import main; main()", "serve", "--host", HOST, "--port", str(port)]
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    stop = threading.Event()
    peak = [0]
    health_ms: list[float] = []
    try:
        t0 = time.monotonic()
        while True:
            try:
                if request(port, "GET", "/api/health", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() - t0 > 60:
                raise SystemExit(f"the server did not start: {server.stderr.read().decode() if server.stderr else ''}")
            time.sleep(0.1)
        startup = time.monotonic() - t0
        time.sleep(3)  # let the workers finish loading their models
        info = json.loads(request(port, "GET", "/api/health")[1])

        def sample_memory() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], tree_rss(server.pid))
                time.sleep(0.05)

        def poll_health() -> None:
            while not stop.is_set():
                s = time.perf_counter()
                status, _ = request(port, "GET", "/api/health", timeout=5)
                if status == 200:
                    health_ms.append((time.perf_counter() - s) * 1000)
                time.sleep(0.05)

        idle_rss = tree_rss(server.pid)
        cpu0 = {p: cpu_seconds(p) for p in descendants(server.pid)}
        threads = [threading.Thread(target=f, daemon=True) for f in (sample_memory, poll_health)]
        for t in threads:
            t.start()

        def one(i: int) -> tuple[int, float, int]:
            body = json.dumps({"text": texts[i % len(texts)]}).encode()
            s = time.perf_counter()
            status, data = request(port, "POST", "/api/analyze", body, timeout=args.deadline)
            ok = status == 200 and json.loads(data).get("schema") == "fabula.story/1"
            return (status if ok else -status), time.perf_counter() - s, len(data)

        start = time.perf_counter()
        with ThreadPoolExecutor(args.requests) as ex:
            results = list(ex.map(one, range(args.requests), timeout=args.deadline))
        wall = time.perf_counter() - start
        cpu = {p: cpu_seconds(p) - cpu0.get(p, 0.0) for p in descendants(server.pid)}
        stop.set()
        for t in threads:
            t.join(timeout=5)
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    lat = [r[1] for r in results]
    failed = [r for r in results if r[0] != 200]
    figures: dict[str, Any] = {
        "requests": args.requests,
        "ok": args.requests - len(failed),
        "failed_statuses": sorted({r[0] for r in failed}),
        "workers": info.get("workers"),
        "startup_s": round(startup, 2),
        "wall_s": round(wall, 2),
        "throughput_per_s": round(args.requests / wall, 2),
        "latency_s": {"p50": round(pct(lat, 0.5), 3), "p95": round(pct(lat, 0.95), 3), "max": round(max(lat), 3)},
        "idle_memory_mb": round(idle_rss / 2**20, 1),
        "peak_memory_mb": round(peak[0] / 2**20, 1),
        "health_ms": {
            "checks": len(health_ms),
            "p50": round(statistics.median(health_ms), 1) if health_ms else None,
            "max": round(max(health_ms), 1) if health_ms else None,
        },
        "cpus": len(os.sched_getaffinity(0)),
        "cpu_s": {"server": round(cpu.get(server.pid, 0.0), 2),
                  "workers": round(sum(v for p, v in cpu.items() if p != server.pid), 2)},
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        lt, hm = figures["latency_s"], figures["health_ms"]
        print(f"{figures['ok']}/{args.requests} analyses ok ({figures['workers']} workers, {figures['cpus']} CPUs) "
              f"in {figures['wall_s']} s: {figures['throughput_per_s']}/s")
        print(f"latency p50 {lt['p50']} s, p95 {lt['p95']} s, max {lt['max']} s")
        print(f"server memory (server + workers, RSS): idle {figures['idle_memory_mb']} MB, "
              f"peak {figures['peak_memory_mb']} MB")
        print(f"CPU seconds during the load: server process {figures['cpu_s']['server']}, "
              f"workers {figures['cpu_s']['workers']}")
        print(f"/api/health during the load: {hm['checks']} checks, p50 {hm['p50']} ms, max {hm['max']} ms")
    too_slow = not health_ms or max(health_ms) > args.health_ms
    return 1 if failed or too_slow else 0


if __name__ == "__main__":
    sys.exit(main())
