"""Benchmark newsdesk's sentence splitter against pySBD, blingfire, nupunkt, sentencex.

Run: .venv/bin/python bench/bench_sentences.py   (needs ../shared/bench-data)

Scores, all tools on the same data in the same run:
  * Golden Rules (English, 48 cases): a case passes when the predicted sentences equal
    the gold ones after whitespace normalisation.
  * UD English EWT weblog (28 documents, paragraphs separated by a blank line):
    boundary precision/recall/F1; a boundary is the end offset of a sentence counted in
    non-whitespace characters, the document end excluded.
  * Speed: MB (UTF-8) per CPU second (time.process_time) of each tool's native offsets
    call on the EWT texts repeated to about 2 MB, and on the gold bodies of the English
    news pages of the boilerplate data (paragraphs joined by a blank line) repeated to
    about 2 MB; pySBD on a 100 KB slice because it is slow.
  * Pathological inputs for newsdesk: CPU time per byte relative to ordinary text.
"""

from __future__ import annotations

import json
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsdesk.sentences.splitter import split_sentences  # noqa: E402

DATA = ROOT.parent / "shared" / "bench-data" / "sentences"
NEWS = ROOT.parent / "shared" / "bench-data" / "boilerplate" / "plaintext_dev.jsonl"
TARGET_BYTES = 2_000_000
PYSBD_BYTES = 100_000
ROUNDS = 5
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")

Spans = list[tuple[int, int]]


@dataclass
class Tool:
    """A splitter: ``raw`` is its native offsets call (timed), ``spans`` adapts it."""

    raw: Callable[[str], object]
    spans: Callable[[object], Spans]

    def __call__(self, text: str) -> Spans:
        return self.spans(self.raw(text))


def _tools() -> dict[str, Tool]:
    import blingfire
    import nupunkt
    import pysbd
    import sentencex

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return {
        "pySBD": Tool(segmenter.segment, lambda out: [(s.start, s.end) for s in out]),
        "blingfire": Tool(blingfire.text_to_sentences_and_offsets, lambda out: list(out[1])),
        "nupunkt": Tool(nupunkt.sent_spans, list),
        "sentencex": Tool(
            lambda text: sentencex.get_sentence_boundaries("en", text),
            lambda out: [
                (b["start_index"], b["end_index"]) for b in out if not b["is_paragraph_break"]
            ],
        ),
        "newsdesk": Tool(split_sentences, lambda out: [(s.start, s.end) for s in out]),
    }


def per_paragraph(run: Callable[[str], Spans]) -> Callable[[str], Spans]:
    """Run a splitter on each blank-line paragraph separately (how peers are usually fed)."""

    def split(text: str) -> Spans:
        spans, pos = [], 0
        for part in PARAGRAPH_BREAK.split(text):
            start = text.index(part, pos) if part else pos
            spans += [(start + a, start + b) for a, b in run(part)]
            pos = start + len(part)
        return spans

    return split


def _load(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines()]


def _norm(s: str) -> str:
    return " ".join(s.split())


def _news_text() -> str:
    """English news bodies from the boilerplate data, repeated to about 2 MB ("" if absent)."""
    if not NEWS.exists():
        return ""
    records = [json.loads(line) for line in NEWS.read_text(encoding="utf-8").splitlines()]
    text = "\n\n".join(r["gold_text"] for r in records if r["lang"] in ("en", None)) + "\n\n"
    return text * (TARGET_BYTES // len(text.encode()) + 1)


def golden(run: Callable[[str], Spans], cases: list[dict]) -> int:
    passed = 0
    for case in cases:
        text = case["text"]
        pred = [_norm(text[a:b]) for a, b in run(text)]
        passed += [p for p in pred if p] == [_norm(s) for s in case["sentences"]]
    return passed


def _boundaries(text: str, spans: Spans) -> set[int]:
    """Sentence ends as counts of non-whitespace characters, document end excluded."""
    counts, n = [0], 0
    for ch in text:
        n += not ch.isspace()
        counts.append(n)
    return {counts[b] for _, b in spans} - {0, n}


def ewt(run: Callable[[str], Spans], docs: list[dict]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for doc in docs:
        gold, n = set(), 0
        for sentence in doc["sentences"][:-1]:
            n += len("".join(sentence.split()))
            gold.add(n)
        pred = _boundaries(doc["text_para"], run(doc["text_para"]))
        tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
    p, r = tp / (tp + fp), tp / (tp + fn)
    return p, r, 2 * p * r / (p + r)


def cpu_seconds(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def speed_mb_per_s(tools: dict[str, Tool], big: str, small: str) -> dict[str, float]:
    """MB per CPU second of each tool's native call, best of ROUNDS interleaved rounds.

    Interleaving spreads the noise of a shared machine evenly over the tools.
    """
    best = dict.fromkeys(tools, float("inf"))
    for _ in range(ROUNDS):
        for name, tool in tools.items():
            sample = small if name == "pySBD" else big
            t0 = time.process_time()
            tool.raw(sample)
            best[name] = min(best[name], time.process_time() - t0)
    return {
        name: len((small if name == "pySBD" else big).encode()) / 1e6 / seconds
        for name, seconds in best.items()
    }


def pathological(normal: str) -> list[tuple[str, float]]:
    """newsdesk CPU time per byte on nasty inputs, relative to ordinary text."""
    base = cpu_seconds(lambda: split_sentences(normal)) / len(normal.encode())
    inputs = {
        "100 KB line, no punctuation": "word " * 20_000,
        "100 KB token, no space": "x" * 100_000,
        "10,000 dots": "." * 10_000,
        "100,000 dots": "." * 100_000,
        "50,000 '. '": ". " * 50_000,
        "100,000 quotes": '"' * 100_000,
        "100,000 spaces": " " * 100_000 + "a",
        "100,000 newlines": "\n" * 100_000,
        "'a.b.' x 25,000": "a.b." * 25_000,
        "'U.S. ' x 20,000 (dense)": "U.S. " * 20_000,
        "'1. ' x 30,000 (dense)": "1. " * 30_000,
    }
    return [
        (name, cpu_seconds(lambda t=t: split_sentences(t)) / len(t.encode()) / base)
        for name, t in inputs.items()
    ]


def check_cli(docs: list[dict]) -> str:
    """Compare ``newsdesk split --jsonl`` with the in-process spans, if the CLI exists."""
    exe = Path(sys.executable).parent / "newsdesk"
    if not exe.exists():
        return "CLI not installed; skipped"
    lines = "".join(json.dumps({"id": d["doc_id"], "text": d["text_para"]}) + "\n" for d in docs)
    try:
        out = subprocess.run(
            [str(exe), "split", "--jsonl"],
            input=lines,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        return f"CLI not usable yet ({type(exc).__name__}); skipped"
    got = {}
    for line in out.splitlines():
        record = json.loads(line)
        got[record["id"]] = [tuple(s) for s in record["sentences"]]
    expected = {
        d["doc_id"]: [(s.start, s.end) for s in split_sentences(d["text_para"])] for d in docs
    }
    same = sum(got.get(k) == v for k, v in expected.items())
    return f"CLI spans identical for {same}/{len(expected)} documents"


def main() -> int:
    if not DATA.exists():
        print(f"skipped: benchmark data not found at {DATA} (see ../shared/bench-data/README.md)")
        return 0
    cases = _load("golden_rules_en.jsonl")
    docs = _load("ewt_weblog.jsonl")
    corpus = "\n\n".join(d["text_para"] for d in docs) + "\n\n"
    big = corpus * (TARGET_BYTES // len(corpus.encode()) + 1)
    small = big[:PYSBD_BYTES]
    tools = _tools()

    speeds = speed_mb_per_s(tools, big, small)
    news = _news_text()
    news_speeds = speed_mb_per_s(tools, news, news[:PYSBD_BYTES]) if news else {}
    rows = [
        (name, golden(tool, cases), ewt(tool, docs), ewt(per_paragraph(tool), docs), speeds[name])
        for name, tool in tools.items()
    ]

    print(f"data: {len(cases)} golden rules, {len(docs)} EWT documents")
    print(
        f"speed text: EWT repeated to {len(big.encode()) / 1e6:.2f} MB; English news bodies "
        f"repeated to {len(news.encode()) / 1e6:.2f} MB; pySBD on the first "
        f"{PYSBD_BYTES // 1000} KB of each; CPU time, best of {ROUNDS} interleaved rounds"
    )
    print(f"python {platform.python_version()}, {platform.machine()}\n")
    print(
        "| tool | golden rules | EWT P | EWT R | EWT F1 | EWT F1, paragraphs split first "
        "| MB/s EWT | vs sentencex | vs pySBD | MB/s news | vs sentencex | vs pySBD |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, passed, (p, r, f1), (_, _, f1_split), speed in rows:
        line = (
            f"| {name} | {passed}/{len(cases)} | {p:.3f} | {r:.3f} | {f1:.3f} | {f1_split:.3f} "
            f"| {speed:.2f} | {speed / speeds['sentencex']:.2f}x "
            f"| {speed / speeds['pySBD']:.0f}x |"
        )
        if news_speeds:
            news_speed = news_speeds[name]
            line += (
                f" {news_speed:.2f} | {news_speed / news_speeds['sentencex']:.2f}x "
                f"| {news_speed / news_speeds['pySBD']:.0f}x |"
            )
        else:
            line += " - | - | - |"
        print(line)
    print("\nnewsdesk on pathological input (CPU time per byte / ordinary text):\n")
    print("| input | relative time per byte |")
    print("|---|---|")
    for name, ratio in pathological(big[:500_000]):
        print(f"| {name} | {ratio:.1f}x |")
    print(f"\n{check_cli(docs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
