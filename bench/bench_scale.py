"""Scale: wall time and peak memory of every stage, 1k to 100k articles.

Run: .venv/bin/python bench/bench_scale.py [--sizes 1000,10000] [--workers 1,2]
     [--paths plain,prefect,dask] [--rerun-size 100000] [--layout jsonl|files]
     [--peers trafilatura,datatrove] [--tmp /tmp] [--keep] [--whole-run]
     [--campaign-sample 100]

The corpora are the scrapinghub pages of the boilerplate benchmark
(`/work/shared/bench-data/boilerplate/scrapinghub`, or `NEWSDESK_SCRAPINGHUB`), replicated,
each copy with one sentence of its own, so every copy is a new article. They are written
under `--tmp` (one JSONL, a folder of JSONL files past 25k articles, or `--layout files`:
one HTML file per article) and deleted at the end unless `--keep`. The benchmark is
skipped (exit 0) when the pages are absent.

Each stage runs as `newsdesk <stage>` in a child process, so its time includes start-up and
its peak memory is its own: the largest resident set of the process and of its worker
processes, sampled every 0.1 s with psutil (a process pool's workers are each counted alone,
and their sum is printed too). `--paths` picks how the shard tasks run:

- plain: `--no-prefect`, a pool of `--workers` processes;
- prefect: through Prefect (its process pool task runner), against a Prefect server the
  benchmark starts once on 127.0.0.1 (its start-up is not counted: users keep one running);
- dask: through Prefect against a Dask scheduler and `--workers` single-threaded worker
  processes the benchmark starts on 127.0.0.1 for each run (the workers' memory is sampled
  too: "peak, one process" is then the largest worker or the command).

With `--campaign-sample N`, each run then pushes a campaign of N articles (one per
near-duplicate cluster, the default) to a throwaway Label Studio the benchmark starts,
annotates 200 of its tasks through the API (not timed), pulls and publishes: the stages
whose memory should follow the campaign, not the corpus.

With `--whole-run`, each path times one `newsdesk run --no-push` (ingest, clean, dedup and
segment in one command, its task runner shared by the stages) instead of the stage commands:
how a user runs the pipeline, and the fair measure of Prefect's overhead.

The peers run on the same pages in as many processes: `trafilatura.extract`, and datatrove
(JsonlReader -> Trafilatura -> JsonlWriter, the corpus split into one file per task, since
datatrove gives a task whole files). Results go to bench/results/scale.json.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
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


JSONL_PART = 25_000
"""Records in one JSONL file of a corpus: 25k pages are about 4.3 GB, under the 8 GB a file
may hold by default (`max_decompressed_mb`); a bigger corpus is a folder of such files."""


def make_corpus(folder: Path, size: int, layout: str, start: int = 0) -> Path:
    """`size` copies numbered from `start`: one JSONL file (a folder of them past
    JSONL_PART), or a folder of HTML files."""
    source = pages()
    folder.mkdir(parents=True, exist_ok=True)
    if layout == "jsonl":
        target = folder / f"articles-{start}-{start + size}"
        if size > JSONL_PART:
            target.mkdir(exist_ok=True)
        for first in range(start, start + size, JSONL_PART):
            last = min(first + JSONL_PART, start + size)
            name = target / f"part-{first}.jsonl" if size > JSONL_PART else None
            with (name or target.with_suffix(".jsonl")).open("w", encoding="utf-8") as stream:
                for n in range(first, last):
                    page = source[n % len(source)]
                    url = f"https://example.org/{n}"
                    row = {"id": f"a{n}", "url": url, "html": copy_of(page, n)}
                    stream.write(json.dumps(row) + "\n")
        return target if size > JSONL_PART else target.with_suffix(".jsonl")
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


def _cpu_seconds(process: object) -> float:
    """User + system CPU time of a running process and its children so far (psutil)."""
    import psutil

    total = 0.0
    try:
        members = [process, *process.children(recursive=True)]  # type: ignore[attr-defined]
    except psutil.Error:
        return 0.0
    for member in members:
        try:
            times = member.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def measured(
    command: list[str], env: dict[str, str], also: tuple[int, ...] = ()
) -> dict[str, float]:
    """Run a command; its wall time and peak memory (largest process, and the whole tree),
    counting the processes `also` names (Dask workers) and their children as its own."""
    import resource

    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    others = [_cpu_seconds(psutil.Process(pid)) for pid in also]
    started = time.perf_counter()
    child = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    watched = [psutil.Process(pid) for pid in (child.pid, *also)]
    peak = peak_tree = 0
    while child.poll() is None:
        sizes = [_tree_rss(process) for process in watched]
        largest, total = max(size[0] for size in sizes), sum(size[1] for size in sizes)
        peak, peak_tree = max(peak, largest), max(peak_tree, total)
        time.sleep(0.1)
    output = child.stdout.read() if child.stdout else ""
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    for pid, was in zip(also, others, strict=True):
        cpu += _cpu_seconds(psutil.Process(pid)) - was
    if child.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    last = output.strip().splitlines()[-1] if output.strip() else ""
    return {
        "seconds": round(elapsed, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_mib": round(peak / 2**20),
        "peak_tree_mib": round(peak_tree / 2**20),
        "summary": last,
    }


@dataclass(frozen=True)
class Route:
    """How the shard tasks run: `plain` (no Prefect), or through the Prefect server at
    `api_url`, on a Dask scheduler at `dask` whose worker processes are `workers`."""

    name: str
    api_url: str = ""
    dask: str = ""
    workers: tuple[int, ...] = ()


PLAIN = Route("plain")


def newsdesk(
    stage: str,
    workspace: Path,
    workers: int,
    *args: str,
    via: Route = PLAIN,
    extra: dict[str, str] | None = None,
) -> dict[str, float]:
    env = {
        **os.environ,
        "NEWSDESK_WORKSPACE": str(workspace),
        "NEWSDESK_WORKERS": str(workers),
        "PYTHONPATH": str(ROOT),
        **(extra or {}),
    }
    command = [sys.executable, "-m", "newsdesk.app.entry", stage, *args]
    if via.name == "plain":
        command.append("--no-prefect")
    else:
        env.update({"PREFECT_API_URL": via.api_url, "DO_NOT_TRACK": "1"})
        env["PREFECT_LOGGING_LEVEL"] = "WARNING"
    if via.dask:
        env["NEWSDESK_DASK_ADDRESS"] = via.dask
    return measured(command, env, via.workers)


@contextlib.contextmanager
def prefect_server(scratch: Path) -> Iterator[str]:
    """A Prefect server on 127.0.0.1 for the whole benchmark; its API URL."""
    from newsdesk.app.orchestration import LocalPrefect
    from newsdesk.foundations.services import free_port

    local = LocalPrefect(scratch / "prefect")
    state, _ = local.start(free_port(4300))
    try:
        yield str(state["api_url"])
    finally:
        local.stop()


# what the README tells a team to give its Dask workers: Dask's own sampling profiler and its
# frequent event-loop checks cost a worker about a tenth of its CPU on pure-Python shard work
DASK_WORKER_SETTINGS = {
    "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False",
    "DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL": "1s",
    "DASK_DISTRIBUTED__ADMIN__SYSTEM_MONITOR__INTERVAL": "5s",
}


@contextlib.contextmanager
def dask_cluster(workers: int) -> Iterator[tuple[str, tuple[int, ...]]]:
    """A Dask scheduler and `workers` worker processes (one thread each) on 127.0.0.1, with
    `DASK_WORKER_SETTINGS`."""
    from distributed import Client

    from newsdesk.foundations.services import free_port

    dask = str(Path(sys.executable).with_name("dask"))
    address = f"tcp://127.0.0.1:{free_port(8786)}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DO_NOT_TRACK": "1", **DASK_WORKER_SETTINGS}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env, "cwd": ROOT}
    scheduler = [dask, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1]]
    started = [subprocess.Popen([*scheduler, "--dashboard-address", "127.0.0.1:0"], **quiet)]
    worker = [dask, "worker", address, "--nthreads", "1", "--host", "127.0.0.1"]
    worker += ["--no-dashboard", "--memory-limit", "0"]
    time.sleep(2)
    started += [subprocess.Popen(worker, **quiet) for _ in range(workers)]
    try:
        with Client(address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)
        yield address, tuple(process.pid for process in started[1:])
    finally:
        for process in reversed(started):
            process.terminate()
        for process in started:
            process.wait(30)


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


DATATROVE = """
import sys
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.extractors import Trafilatura
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

if __name__ == "__main__":
    folder, out, logs, tasks = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    LocalPipelineExecutor(
        [
            JsonlReader(folder, text_key="html", id_key="id"),
            Trafilatura(timeout=30),
            JsonlWriter(out),
        ],
        tasks=tasks,
        workers=tasks,
        logging_dir=logs,
    ).run()
    print("done")
"""


def peer(corpus_jsonl: Path, processes: int, scratch: Path) -> dict[str, float]:
    script = scratch / "peer.py"
    script.write_text(PEER, encoding="utf-8")
    command = [sys.executable, str(script), str(corpus_jsonl), str(processes)]
    return measured(command, dict(os.environ))


def datatrove_peer(corpus_jsonl: Path, tasks: int, scratch: Path) -> dict[str, float]:
    """datatrove on the same pages, the JSONL split into `tasks` files (a task reads files)."""
    folder = scratch / "datatrove-in"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    parts = [(folder / f"part-{i}.jsonl").open("w", encoding="utf-8") for i in range(tasks)]
    with corpus_jsonl.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream):
            parts[number % tasks].write(line)
    for part in parts:
        part.close()
    script = scratch / "datatrove_peer.py"
    script.write_text(DATATROVE, encoding="utf-8")
    out, logs = scratch / "datatrove-out", scratch / "datatrove-logs"
    for old in (out, logs):
        shutil.rmtree(old, ignore_errors=True)
    command = [sys.executable, str(script), str(folder), str(out), str(logs), str(tasks)]
    try:
        return measured(command, dict(os.environ))
    finally:
        for old in (folder, out, logs):
            shutil.rmtree(old, ignore_errors=True)


@dataclass(frozen=True)
class Campaigns:
    """A throwaway Label Studio (`url`, `token`) and where the benchmark's configs go; each
    run pushes a campaign of its own, `sample` articles of the corpus."""

    url: str
    token: str
    folder: Path
    sample: int


@contextlib.contextmanager
def label_studio(scratch: Path, sample: int) -> Iterator[Campaigns]:
    """A Label Studio on 127.0.0.1 for the whole benchmark (the venv `newsdesk labelstudio
    install` made; its start-up is not counted)."""
    from newsdesk.annotation.server import LocalLabelStudio
    from newsdesk.foundations.services import free_port

    venv = ROOT / ".newsdesk" / "labelstudio" / "venv"
    server = LocalLabelStudio(scratch / "labelstudio", shared_venv=venv)
    state, _ = server.start(free_port(18900), "bench@newsdesk.local")
    try:
        yield Campaigns(str(state["url"]), str(state["token"]), scratch / "campaigns", sample)
    finally:
        server.stop()


def annotate(campaigns: Campaigns, campaign: str, count: int) -> int:
    """An annotator's stance on `count` of the campaign's tasks, written through the API (not
    timed: it gives pull something to read); returns how many were written."""
    from newsdesk.annotation.client import LabelStudioClient
    from newsdesk.annotation.projects import PROJECT_PREFIX

    client = LabelStudioClient(campaigns.url, campaigns.token)
    title = PROJECT_PREFIX + campaign
    project = next(p for p in client.sdk.projects.list() if p.title == title)
    written = 0
    for task in client.sdk.tasks.list(project=project.id):
        if written == count:
            break
        result = [{"from_name": "stance", "to_name": "sentence", "type": "choices",
                   "value": {"choices": ["neutral"]}}]  # fmt: skip
        client.sdk.annotations.create(task.id, result=result)
        written += 1
    return written


def campaign_stages(
    campaigns: Campaigns, workspace: Path, workers: int, via: Route, label: str
) -> dict[str, dict[str, float]]:
    """push, pull and publish of one campaign of `campaigns.sample` articles, 200 of its
    tasks annotated between push and pull."""
    name = "scale-" + "".join(c if c.isalnum() else "-" for c in label)
    folder = campaigns.folder / name
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "newsdesk.toml"
    config.write_text(
        f'[[campaigns]]\nname = "{name}"\ntarget = "Harbour"\nsample = {campaigns.sample}\n',
        encoding="utf-8",
    )
    env = {
        "NEWSDESK_CONFIG": str(config),
        "NEWSDESK_LABELSTUDIO_URL": campaigns.url,
        "NEWSDESK_LABELSTUDIO_TOKEN": campaigns.token,
        "NEWSDESK_OUTPUTS": str(folder / "outputs"),
    }
    runs = {"push": newsdesk("push", workspace, workers, via=via, extra=env)}
    annotate(campaigns, name, 200)
    runs["pull"] = newsdesk("pull", workspace, workers, via=via, extra=env)
    runs["publish"] = newsdesk("publish", workspace, workers, via=via, extra=env)
    return runs


def stages(
    corpus: Path,
    workspace: Path,
    workers: int,
    via: Route = PLAIN,
    whole: bool = False,
    campaigns: Campaigns | None = None,
    label: str = "",
) -> dict[str, dict[str, float]]:
    """The stage commands one after the other (and, with `campaigns`, push, pull and
    publish), or (`whole`) `newsdesk run --no-push`, which runs them, dedup included, in one
    command and one task runner."""
    shutil.rmtree(workspace, ignore_errors=True)
    if whole:
        return {"run": newsdesk("run", workspace, workers, "--no-push", str(corpus), via=via)}
    runs = {
        "ingest": newsdesk("ingest", workspace, workers, str(corpus), via=via),
        "clean": newsdesk("clean", workspace, workers, via=via),
        "dedup": newsdesk("dedup", workspace, workers, via=via),
        "segment": newsdesk("segment", workspace, workers, via=via),
    }
    if campaigns is not None:
        runs |= campaign_stages(campaigns, workspace, workers, via, label)
    return runs


def run_paths(
    corpus: Path,
    workspace: Path,
    workers: int,
    paths: list[str],
    api_url: str,
    whole: bool,
    campaigns: Campaigns | None = None,
    key: str = "",
) -> dict[str, dict[str, dict[str, float]]]:
    """The stages by each path of `paths`, one after the other, on fresh workspaces."""
    runs = {}
    for name in paths:
        label = f"{key}-{name}"
        if name == "dask":
            with dask_cluster(workers) as (address, pids):
                via = Route("dask", api_url, address, pids)
                runs[name] = stages(corpus, workspace, workers, via, whole, campaigns, label)
        else:
            via = Route(name, api_url)
            runs[name] = stages(corpus, workspace, workers, via, whole, campaigns, label)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--paths", default="plain")
    parser.add_argument("--peers", default="trafilatura,datatrove")
    parser.add_argument("--peer-sizes", default="1000,10000")
    parser.add_argument("--rerun-size", type=int, default=10000)
    parser.add_argument("--layout", choices=("jsonl", "files"), default="jsonl")
    parser.add_argument("--tmp", default=tempfile.gettempdir())
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--whole-run", action="store_true", help="time `newsdesk run --no-push`, not each stage"
    )
    parser.add_argument(
        "--campaign-sample",
        type=int,
        default=0,
        help="also push, pull and publish a campaign of this many articles (a local Label Studio)",
    )
    args = parser.parse_args()
    if not (PAGES / "html").is_dir():
        print(f"skipped: no scrapinghub pages at {PAGES}")
        return
    scratch = Path(tempfile.mkdtemp(prefix="newsdesk-scale-", dir=args.tmp))
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_before": os.getloadavg(),
        "layout": args.layout,
    }
    paths = [p for p in args.paths.split(",") if p]
    try:
        with contextlib.ExitStack() as servers:
            api_url = ""
            if set(paths) - {"plain"}:
                api_url = servers.enter_context(prefect_server(scratch))
            campaigns = None
            if args.campaign_sample and not args.whole_run:
                campaigns = servers.enter_context(label_studio(scratch, args.campaign_sample))
            _measure(args, scratch, results, paths, api_url, campaigns)
    finally:
        results["load_after"] = os.getloadavg()
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    out = ROOT / "bench" / "results" / "scale.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    _ratios(results, _numbers(args.sizes), _numbers(args.workers), paths)


def _numbers(text: str) -> list[int]:
    return [int(item) for item in text.split(",") if item]


def _measure(
    args: argparse.Namespace,
    scratch: Path,
    results: dict[str, object],
    paths: list[str],
    api_url: str,
    campaigns: Campaigns | None = None,
) -> None:
    """Every size: the stages by every path and worker count, the peers, the reruns."""
    sizes, workers = _numbers(args.sizes), _numbers(args.workers)
    peers = [p for p in args.peers.split(",") if p]
    for size in sorted(set(sizes) | ({args.rerun_size} - {0})):
        corpus = make_corpus(scratch / "in", size, args.layout)
        if size in sizes:
            for count in workers:
                key = f"{size}/{count}"
                for name, run in run_paths(
                    corpus, scratch / "ws", count, paths, api_url, args.whole_run, campaigns, key
                ).items():
                    label = f"newsdesk {key}" if name == "plain" else f"newsdesk {key} {name}"
                    results[label] = run
                    print(label, json.dumps(run), flush=True)
                if size in _numbers(args.peer_sizes):
                    jsonl = corpus if args.layout == "jsonl" else None
                    if jsonl is None:
                        jsonl = make_corpus(scratch / "peer", size, "jsonl")
                    for name in peers:
                        measure = peer if name == "trafilatura" else datatrove_peer
                        results[f"{name} {key}"] = measure(jsonl, count, scratch)
                        print(name, key, results[f"{name} {key}"], flush=True)
        if size == args.rerun_size:
            results[f"rerun {size}"] = _reruns(corpus, scratch, size, max(workers), args.layout)
        shutil.rmtree(scratch / "in", ignore_errors=True)
        shutil.rmtree(scratch / "peer", ignore_errors=True)


def _reruns(
    corpus: Path, scratch: Path, size: int, count: int, layout: str
) -> dict[str, dict[str, float]]:
    """Ingest again with nothing new, with --reread, with 1k more; and 1k alone."""
    ws = scratch / "ws"
    shutil.rmtree(ws, ignore_errors=True)
    runs = {"first": newsdesk("ingest", ws, count, str(corpus))}
    runs["nothing new"] = newsdesk("ingest", ws, count, str(corpus))
    runs["reread"] = newsdesk("ingest", ws, count, "--reread", str(corpus))
    extra = make_corpus(scratch / "in", 1000, layout, start=size)
    runs["1k more"] = newsdesk("ingest", ws, count, str(corpus), str(extra))
    shutil.rmtree(ws, ignore_errors=True)
    runs["1k fresh"] = newsdesk("ingest", ws, count, str(extra))
    print("rerun", size, json.dumps(runs), flush=True)
    return runs


def _total(run: object, stages: tuple[str, ...] | None = None, what: str = "seconds") -> float:
    """The sum over `stages`, by default every command the run timed."""
    return sum(run[stage][what] for stage in stages or tuple(run))  # type: ignore[index,union-attr]


def _ratios(
    results: dict[str, object], sizes: list[int], workers: list[int], paths: list[str]
) -> None:
    for size in sizes:
        for count in workers:
            mine = results.get(f"newsdesk {size}/{count}")
            for name in ("trafilatura", "datatrove"):
                theirs = results.get(f"{name} {size}/{count}")
                if isinstance(mine, dict) and "ingest" in mine and isinstance(theirs, dict):
                    both = _total(mine, ("ingest", "clean"))
                    cpu = _total(mine, ("ingest", "clean"), "cpu_seconds")
                    print(
                        f"{size}/{count}: ingest+clean / {name} = {both / theirs['seconds']:.2f}"
                        f" wall, {cpu / theirs['cpu_seconds']:.2f} CPU"
                    )
            for name in paths:
                other = results.get(f"newsdesk {size}/{count} {name}")
                if isinstance(mine, dict) and isinstance(other, dict):
                    ratio = _total(other) / _total(mine)
                    print(f"{size}/{count}: {name} / plain ({'+'.join(mine)}) = {ratio:.2f}")
        if len(workers) > 1:
            one = results.get(f"newsdesk {size}/{min(workers)}")
            many = results.get(f"newsdesk {size}/{max(workers)}")
            if isinstance(one, dict) and isinstance(many, dict) and "ingest" in one:
                for stage in ("ingest", "clean", "segment"):
                    ratio = one[stage]["seconds"] / many[stage]["seconds"]
                    print(f"{size}: {stage} {min(workers)} vs {max(workers)} workers: {ratio:.2f}x")
                ratio = _total(one, ("ingest", "clean")) / _total(many, ("ingest", "clean"))
                print(f"{size}: ingest+clean, {min(workers)} vs {max(workers)}: {ratio:.2f}x")
    _memory_growth(results, sizes, workers)
    for key, runs in results.items():
        if key.startswith("rerun") and isinstance(runs, dict):
            ratio = runs["1k more"]["seconds"] / runs["1k fresh"]["seconds"]
            print(f"{key}: 1k more / 1k fresh = {ratio:.2f}")


def _memory_growth(results: dict[str, object], sizes: list[int], workers: list[int]) -> None:
    """Each stage's peak memory (largest process) at the largest size over the smallest: the
    flat-memory goal asks for at most 1.2."""
    if len(sizes) < 2:
        return
    for count in workers:
        small = results.get(f"newsdesk {min(sizes)}/{count}")
        large = results.get(f"newsdesk {max(sizes)}/{count}")
        if not (isinstance(small, dict) and isinstance(large, dict)):
            continue
        for stage in [stage for stage in small if stage in large]:
            was, now = small[stage]["peak_mib"], large[stage]["peak_mib"]
            print(
                f"{stage}, {count} workers: peak {was} MiB at {min(sizes)}, {now} MiB at"
                f" {max(sizes)} ({now / was:.2f}x)"
            )


if __name__ == "__main__":
    main()
