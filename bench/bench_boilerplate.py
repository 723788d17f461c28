"""Boilerplate benchmark: newsdesk against the usual extractors on the same pages.

Metric (the scrapinghub benchmark's own): word 4-gram shingles per page, per-page
precision and recall averaged over pages, F1 = harmonic mean of the two means.
Speed is pages per CPU-second (`time.process_time`), every tool in this one process.
The gold bodies carry no headline, so newsdesk is scored on its body without the headline
paragraph (returned separately as `title`); the score with it is printed too.

    .venv/bin/python bench/bench_boilerplate.py [--only html|text] [--pages N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "bench-data" / "boilerplate"
_TOKEN = re.compile(r"\w+")

sys.path.insert(0, str(ROOT))

from newsdesk.boilerplate import Extraction, extract_html, extract_text  # noqa: E402


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Word 4-gram multiset; texts under four tokens are one shingle."""
    tokens = _TOKEN.findall(text.lower())
    if len(tokens) < 4:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3))


def page_pr(gold: str, pred: str) -> tuple[float, float]:
    """Precision and recall of one page (1.0 when the denominator is 0)."""
    g, p = shingles(gold), shingles(pred)
    tp = sum((g & p).values())
    fp, fn = sum(p.values()) - tp, sum(g.values()) - tp
    return (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)


def score(golds: list[str], preds: list[str]) -> tuple[float, float, float]:
    """Mean P, mean R and their harmonic mean."""
    prs = [page_pr(g, p) for g, p in zip(golds, preds, strict=True)]
    p = sum(x for x, _ in prs) / len(prs)
    r = sum(y for _, y in prs) / len(prs)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def without_headline(e: Extraction) -> str:
    """The body minus its leading headline paragraph, which the gold does not contain."""
    head = next((d.text for d in e.decisions if d.kept and d.rule == "headline"), None)
    if head and e.body.startswith(head):
        return e.body[len(head) :].lstrip("\n")
    return e.body


def html_tools() -> dict[str, Callable[[str], str]]:
    """Each tool as page HTML -> main text; tools that are not installed are left out."""
    tools: dict[str, Callable[[str], str]] = {
        "newsdesk": lambda h: without_headline(extract_html(h)),
        "newsdesk (with headline)": lambda h: extract_html(h).body,
    }
    try:
        import trafilatura

        tools["trafilatura default"] = lambda h: trafilatura.extract(h) or ""
        tools["trafilatura favor_precision"] = lambda h: (
            trafilatura.extract(h, favor_precision=True) or ""
        )
    except ImportError:
        pass
    try:
        import lxml.html
        from readability import Document

        def readability(h: str) -> str:
            summary = Document(h).summary(html_partial=True)
            return lxml.html.fromstring(summary).text_content() if summary.strip() else ""

        tools["readability-lxml"] = readability
    except ImportError:
        pass
    try:
        import justext

        stop = justext.get_stoplist("English")

        def jt(h: str) -> str:
            paras = justext.justext(h.encode("utf-8"), stop)
            return "\n\n".join(p.text for p in paras if not p.is_boilerplate)

        tools["jusText (English stoplist)"] = jt
    except ImportError:
        pass
    try:
        from resiliparse.extract.html2text import extract_plain_text

        tools["resiliparse main_content"] = lambda h: extract_plain_text(h, main_content=True)
    except ImportError:
        pass
    return tools


def bench_html(limit: int | None) -> list[tuple[str, int, float, float, float, float]]:
    """Every HTML tool on every page; returns (tool, pages, P, R, F1, pages/CPU-s)."""
    base = DATA / "scrapinghub"
    truth = json.loads((base / "ground-truth.json").read_text())
    ids = sorted(truth)[:limit]
    pages = [
        gzip.decompress((base / "html" / f"{i}.html.gz").read_bytes()).decode(
            "utf-8", errors="replace"
        )
        for i in ids
    ]
    golds = [truth[i]["articleBody"] for i in ids]
    rows = []
    for name, tool in html_tools().items():
        t0 = time.process_time()
        preds = [tool(h) for h in pages]
        cpu = time.process_time() - t0
        rows.append((name, len(pages), *score(golds, preds), len(pages) / cpu))
    return rows


def bench_text(limit: int | None) -> list[tuple[str, int, float, float, float, float]]:
    """newsdesk vs keep-everything on the two plain-text inputs."""
    records = [json.loads(s) for s in (DATA / "plaintext_dev.jsonl").open()][:limit]
    golds = [r["gold_text"] for r in records]
    rows = []
    for field in ("raw_text", "raw_text_main"):
        texts = [r[field] for r in records]
        rows.append((f"{field}: keep everything", len(texts), *score(golds, texts), 0.0))
        for name, fn in (
            ("newsdesk", lambda t: without_headline(extract_text(t))),
            ("newsdesk (with headline)", lambda t: extract_text(t).body),
        ):
            t0 = time.process_time()
            preds = [fn(t) for t in texts]
            cpu = time.process_time() - t0
            rows.append((f"{field}: {name}", len(texts), *score(golds, preds), len(texts) / cpu))
    return rows


def main() -> None:
    """Print the tables; skip with a message when the benchmark data is absent."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("html", "text"))
    parser.add_argument("--pages", type=int, help="first N pages only (quick runs)")
    args = parser.parse_args()
    if not (DATA / "scrapinghub" / "ground-truth.json").exists():
        print(f"skipped: benchmark data not found at {DATA} (it lives beside the project)")
        return
    print(f"{'tool':<40} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'pages/CPU-s':>11}")
    rows = []
    if args.only != "text":
        rows = bench_html(args.pages)
    for name, n, p, r, f1, speed in rows:
        print(f"{name:<40} {n:>5} {p:6.3f} {r:6.3f} {f1:6.3f} {speed:11.1f}")
    speeds = {name: speed for name, *_, speed in rows}
    if "newsdesk" in speeds and "trafilatura default" in speeds:
        for other in ("trafilatura default", "trafilatura favor_precision"):
            print(f"speed ratio newsdesk / {other}: {speeds['newsdesk'] / speeds[other]:.2f}")
    if args.only != "html":
        for name, n, p, r, f1, speed in bench_text(args.pages):
            shown = f"{speed:11.1f}" if speed else f"{'-':>11}"
            print(f"{name:<40} {n:>5} {p:6.3f} {r:6.3f} {f1:6.3f} {shown}")


if __name__ == "__main__":
    main()
