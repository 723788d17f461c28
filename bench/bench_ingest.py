"""Ingest memory and speed on the hostile corpus of the tests plus about 1 GB of ordinary input.

Run: .venv/bin/python bench/bench_ingest.py [--gb 1.0] [--keep DIR]

The ordinary part is what exports look like: one big JSONL, a gzipped JSONL, a CSV, a folder
of HTML pages and a zip of text files. Ingest runs in a child process (plain Python, no
Prefect, default limits from `newsdesk.toml`: 20 MiB per record, 8 GiB decompressed per input)
so its peak resident memory (ru_maxrss) is its own. A second run on the same workspace
measures re-ingesting (everything already there). Results go to bench/results/ingest.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile_corpus import build  # noqa: E402

PARAGRAPH = (
    "The regional council met on Monday and agreed on the budget for the coming year, "
    "after a debate that lasted well into the night. Officials said the plan would fund "
    "new schools and repair the harbour road. "
)


def _story(n: int, paragraphs: int = 8) -> str:
    return f"Story {n}: the council and the budget\n\n" + "\n\n".join(
        f"{PARAGRAPH} (paragraph {p} of story {n})" for p in range(paragraphs)
    )


def ordinary(folder: Path, total_bytes: int) -> int:
    """Write about `total_bytes` of ordinary articles; return how many articles."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    shares = {"export.jsonl": 0.6, "feed.jsonl.gz": 0.2, "rows.csv": 0.1}
    for name, share in shares.items():
        target = int(total_bytes * share)
        opener = gzip.open if name.endswith(".gz") else open
        written = 0
        with opener(folder / name, "wt", encoding="utf-8", newline="") as stream:  # type: ignore[operator]
            if name.endswith(".csv"):
                stream.write("id,title,text,published_at\n")
            while written < target:
                text = _story(n)
                if name.endswith(".csv"):
                    line = f'c{n},"Story {n}","{text}",2024-05-{1 + n % 28:02d}\n'
                else:
                    row = {"id": f"j{n}", "title": f"Story {n}", "text": text,
                           "published_at": f"2024-05-{1 + n % 28:02d}T08:00:00Z"}  # fmt: skip
                    line = json.dumps(row) + "\n"
                stream.write(line)
                written += len(line)
                n += 1
    pages = folder / "pages"
    pages.mkdir()
    written, target = 0, int(total_bytes * 0.05)
    while written < target:
        html = f"<html><head><title>Story {n}</title></head><body><article>"
        html += "".join(f"<p>{p}</p>" for p in _story(n).split("\n\n")) + "</article></body></html>"
        (pages / f"{n}.html").write_text(html, "utf-8")
        written += len(html)
        n += 1
    written, target = 0, int(total_bytes * 0.05)
    with zipfile.ZipFile(folder / "texts.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        while written < target:
            text = _story(n)
            archive.writestr(f"texts/{n}.txt", text)
            written += len(text)
            n += 1
    return n


CHILD = """
import json, resource, sys, time
from newsdesk.foundations.config import load_settings
from newsdesk.stages.ingest import ingest
from newsdesk.foundations.workspace import Workspace
settings = load_settings()
started = time.perf_counter()
report = ingest(Workspace(sys.argv[1]), sys.argv[2:], shard_size=settings.shard_size,
                max_bytes=int(settings.max_file_mb * 2**20),
                max_input_bytes=int(settings.max_decompressed_mb * 2**20))
print(json.dumps({"seconds": time.perf_counter() - started, "summary": report.summary(),
                  "records": report.records, "kept": report.kept,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_ingest(workspace: Path, inputs: list[Path]) -> dict[str, object]:
    command = [sys.executable, "-c", CHILD, str(workspace), *map(str, inputs)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gb", type=float, default=1.0, help="ordinary input, in GB")
    parser.add_argument("--keep", type=Path, help="build the corpus here and keep it")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="newsdesk-bench-ingest-"))
    try:
        started = time.perf_counter()
        build(base / "hostile")
        articles = ordinary(base / "ordinary", int(args.gb * 1e9))
        size = sum(p.stat().st_size for p in (base / "ordinary").rglob("*") if p.is_file())
        built = time.perf_counter() - started
        inputs = [base / "hostile" / "in", base / "ordinary"]
        first = run_ingest(base / "ws", inputs)
        second = run_ingest(base / "ws", inputs)
        result = {
            "machine": f"{platform.machine()}, {platform.python_version()}",
            "ordinary_bytes_on_disk": size,
            "ordinary_articles": articles,
            "build_seconds": round(built, 1),
            "first": first,
            "reingest": second,
        }
        out = ROOT / "bench" / "results"
        out.mkdir(parents=True, exist_ok=True)
        (out / "ingest.json").write_text(json.dumps(result, indent=2), "utf-8")
        print(json.dumps(result, indent=2))
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"largest child peak RSS: {peak:.0f} MiB")
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
