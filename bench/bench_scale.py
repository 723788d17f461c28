"""Scale: wall time and peak memory of ingest, clean and segment at 1k/10k/100k articles.

Run: .venv/bin/python bench/bench_scale.py [--sizes 1000,10000] [--workers 1,2]
     [--rerun-size 100000] [--layout jsonl|files] [--tmp /tmp] [--keep]

The corpora are the scrapinghub pages of the boilerplate benchmark
(`/work/shared/bench-data/boilerplate/scrapinghub`, or `NEWSDESK_SCRAPINGHUB`), replicated,
each copy with one sentence of its own, so every copy is a new article. They are written
under `--tmp` (one JSONL, or `--layout files`: one HTML file per article) and deleted at the
end unless `--keep`. The benchmark is skipped (exit 0) when the pages are absent.

Each stage runs as `newsdesk <stage> --no-prefect` in a child process, so its time includes
start-up and its peak memory is its own: the largest resident set of the process and of its
worker processes, sampled every 0.1 s with psutil (a process pool's workers are each counted
alone, and their sum is printed too). The peer is `trafilatura.extract` on the same pages,
in as many processes as newsdesk's workers. Results go to bench/results/scale.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = Path(
    os.environ.get("NEWSDESK_SCRAPINGHUB", "/work/shared/bench-data/boilerplate/scrapinghub")
)
WORDS = [
    *("harbour", "council", "budget", "river", "school", "station", "market", "bridge"),
    *("winter", "festival", "library", "railway", "hospital", "museum", "garden", "election"),
]


def pages() -> list[str]:
    folder = PAGES / "html"
    return [
        gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        for path in sorted(folder.glob("*.html.gz"))
    ]


def unique_sentence(n: int) -> str:
    """A sentence no other copy has (words picked by the digits of n)."""
    picked = [WORDS[int(d) + i % 6] for i, d in enumerate(f"{n:07d}")]
    return f"<p>Reader {n} wrote about the {' '.join(picked)} on day {n}.</p>"


def copy_of(page: str, n: int) -> str:
    marker = page.lower().rfind("</body>")
    at = marker if marker >= 0 else len(page)
    return page[:at] + unique_sentence(n) + page[at:]


def make_corpus(folder: Path, size: int, layout: str, start: int = 0) -> Path:
    """`size` copies numbered from `start`; one JSONL file, or a folder of HTML files."""
    source = pages()
    folder.mkdir(parents=True, exist_ok=True)
    if layout == "jsonl":
        target = folder / f"articles-{start}-{start + size}.jsonl"
        with target.open("w", encoding="utf-8") as stream:
            for n in range(start, start + size):
                page = source[n % len(source)]
                row = {"id": f"a{n}", "url": f"https://example.org/{n}", "html": copy_of(page, n)}
                stream.write(json.dumps(row) + "\n")
        return target
    target = folder / f"pages-{start}-{start + size}"
    target.mkdir(exist_ok=True)
    for n in range(start, start + size):
        shard = target / f"{n // 1000:04d}"
        shard.mkdir(exist_ok=True)
        (shard / f"{n}.html").write_text(copy_of(source[n % len(source)], n), encoding="utf-8")
    return target


def _tree_rss(process: object) -> tuple[int, int]:
    """(largest single RSS, sum of RSS) over a psutil process and its children."""
    import psutil

    largest = total = 0
    try:
        members = [process, *process.children(recursive=True)]  # type: ignore[attr-defined]
    except psutil.Error:
        return 0, 0
    for member in members:
        try:
            rss = member.memory_info().rss
        except psutil.Error:
            continue
        largest = max(largest, rss)
        total += rss
    return largest, total


def measured(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run a command; its wall time and peak memory (largest process, and the whole tree)."""
    import psutil

    started = time.perf_counter()
    child = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    watched = psutil.Process(child.pid)
    peak = peak_tree = 0
    while child.poll() is None:
        largest, total = _tree_rss(watched)
        peak, peak_tree = max(peak, largest), max(peak_tree, total)
        time.sleep(0.1)
    output = child.stdout.read() if child.stdout else ""
    elapsed = time.perf_counter() - started
    if child.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    last = output.strip().splitlines()[-1] if output.strip() else ""
    return {
        "seconds": round(elapsed, 1),
        "peak_mib": round(peak / 2**20),
        "peak_tree_mib": round(peak_tree / 2**20),
        "summary": last,
    }


def newsdesk(stage: str, workspace: Path, workers: int, *args: str) -> dict[str, float]:
    env = {
        **os.environ,
        "NEWSDESK_WORKSPACE": str(workspace),
        "NEWSDESK_WORKERS": str(workers),
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "newsdesk.app.entry", stage, *args, "--no-prefect"]
    return measured(command, env)


PEER = """
import json, sys
from concurrent.futures import ProcessPoolExecutor
import trafilatura

def rows(path, stride, offset):
    with open(path, encoding="utf-8") as stream:
        for number, line in enumerate(stream):
            if number % stride == offset:
                yield json.loads(line)

def work(args):
    path, stride, offset = args
    done = 0
    for row in rows(path, stride, offset):
        trafilatura.extract(row["html"], url=row["url"])
        done += 1
    return done

if __name__ == "__main__":
    path, processes = sys.argv[1], int(sys.argv[2])
    with ProcessPoolExecutor(processes) as pool:
        print(sum(pool.map(work, [(path, processes, i) for i in range(processes)])), "pages")
"""


def peer(corpus_jsonl: Path, processes: int, scratch: Path) -> dict[str, float]:
    script = scratch / "peer.py"
    script.write_text(PEER, encoding="utf-8")
    command = [sys.executable, str(script), str(corpus_jsonl), str(processes)]
    return measured(command, dict(os.environ))


def stages(corpus: Path, workspace: Path, workers: int) -> dict[str, dict[str, float]]:
    shutil.rmtree(workspace, ignore_errors=True)
    return {
        "ingest": newsdesk("ingest", workspace, workers, str(corpus)),
        "clean": newsdesk("clean", workspace, workers),
        "segment": newsdesk("segment", workspace, workers),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--peer-sizes", default="1000,10000")
    parser.add_argument("--rerun-size", type=int, default=10000)
    parser.add_argument("--layout", choices=("jsonl", "files"), default="jsonl")
    parser.add_argument("--tmp", default=tempfile.gettempdir())
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if not (PAGES / "html").is_dir():
        print(f"skipped: no scrapinghub pages at {PAGES}")
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    workers = [int(w) for w in args.workers.split(",") if w]
    scratch = Path(tempfile.mkdtemp(prefix="newsdesk-scale-", dir=args.tmp))
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_before": os.getloadavg(),
        "layout": args.layout,
    }
    try:
        for size in sorted(set(sizes) | {args.rerun_size}):
            corpus = make_corpus(scratch / "in", size, args.layout)
            if size in sizes:
                for count in workers:
                    key = f"{size}/{count}"
                    results[f"newsdesk {key}"] = stages(corpus, scratch / "ws", count)
                    print(key, json.dumps(results[f"newsdesk {key}"]), flush=True)
                    if size in [int(s) for s in args.peer_sizes.split(",") if s]:
                        jsonl = corpus if args.layout == "jsonl" else None
                        if jsonl is None:
                            jsonl = make_corpus(scratch / "peer", size, "jsonl")
                        results[f"trafilatura {key}"] = peer(jsonl, count, scratch)
                        print("trafilatura", key, results[f"trafilatura {key}"], flush=True)
            if size == args.rerun_size:
                count = max(workers)
                ws = scratch / "ws"
                shutil.rmtree(ws, ignore_errors=True)
                runs = {"first": newsdesk("ingest", ws, count, str(corpus))}
                runs["nothing new"] = newsdesk("ingest", ws, count, str(corpus))
                runs["reread"] = newsdesk("ingest", ws, count, "--reread", str(corpus))
                extra = make_corpus(scratch / "in", 1000, args.layout, start=size)
                runs["1k more"] = newsdesk("ingest", ws, count, str(corpus), str(extra))
                shutil.rmtree(ws, ignore_errors=True)
                runs["1k fresh"] = newsdesk("ingest", ws, count, str(extra))
                results[f"rerun {size}"] = runs
                print("rerun", size, json.dumps(runs), flush=True)
            shutil.rmtree(scratch / "in", ignore_errors=True)
            shutil.rmtree(scratch / "peer", ignore_errors=True)
    finally:
        results["load_after"] = os.getloadavg()
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    out = ROOT / "bench" / "results" / "scale.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    _ratios(results, sizes, workers)


def _ratios(results: dict[str, object], sizes: list[int], workers: list[int]) -> None:
    for size in sizes:
        for count in workers:
            mine = results.get(f"newsdesk {size}/{count}")
            theirs = results.get(f"trafilatura {size}/{count}")
            if isinstance(mine, dict) and isinstance(theirs, dict):
                both = mine["ingest"]["seconds"] + mine["clean"]["seconds"]
                print(
                    f"{size}/{count}: ingest+clean / trafilatura = {both / theirs['seconds']:.2f}"
                )
        if len(workers) > 1:
            one = results.get(f"newsdesk {size}/{min(workers)}")
            many = results.get(f"newsdesk {size}/{max(workers)}")
            if isinstance(one, dict) and isinstance(many, dict):
                for stage in ("ingest", "clean", "segment"):
                    ratio = one[stage]["seconds"] / many[stage]["seconds"]
                    print(f"{size}: {stage} {min(workers)} vs {max(workers)} workers: {ratio:.2f}x")
    for key, runs in results.items():
        if key.startswith("rerun") and isinstance(runs, dict):
            ratio = runs["1k more"]["seconds"] / runs["1k fresh"]["seconds"]
            print(f"{key}: 1k more / 1k fresh = {ratio:.2f}")


if __name__ == "__main__":
    main()
