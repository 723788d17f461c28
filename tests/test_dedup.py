"""Near-duplicate detection: clusters on wire-copy variants, incremental runs, the
representative rule, stable split keys, and campaigns that push one article per cluster."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest

from newsdesk.annotation.push import choose_articles, select_articles
from newsdesk.dedup.minhash import rank_key, rank_order
from newsdesk.foundations.config import Campaign, DedupConfig
from newsdesk.foundations.workspace import Workspace
from newsdesk.stages.dedup import _Hashed, dedup, load_clusters, split_keys
from schemas import tables

WORDS = [
    *[
        "minister",
        "council",
        "vote",
        "harbor",
        "storm",
        "police",
        "court",
        "market",
        "price",
        "energy",
        "school",
        "budget",
    ],
    *[
        "river",
        "bridge",
        "union",
        "strike",
        "election",
        "mayor",
        "city",
        "port",
        "ship",
        "wind",
        "rain",
        "flood",
        "road",
        "fire",
    ],
    *[
        "health",
        "hospital",
        "doctor",
        "nurse",
        "farmer",
        "crop",
        "wheat",
        "bank",
        "rate",
        "loan",
        "tax",
        "report",
        "study",
    ],
    *[
        "water",
        "power",
        "plant",
        "coal",
        "gas",
        "oil",
        "trade",
        "export",
        "import",
        "border",
        "army",
        "peace",
        "talks",
        "deal",
    ],
]


def story(seed: int, paragraphs: int = 8) -> list[str]:
    """A body of the same vocabulary as every other story (same topic), its own words order."""
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(40)) + "." for _ in range(paragraphs)]


def body(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


def write(workspace: Workspace, shard: str, rows: list[dict[str, object]]) -> None:
    full = [{"published_at": None, **row} for row in rows]
    workspace.write_shard("bodies", shard, pa.Table.from_pylist(full, tables.BODIES), "test")
    empty = tables.SENTENCES.empty_table()  # campaigns choose only segmented shards
    workspace.write_shard("sentences", shard, empty)


def members(workspace: Workspace) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in load_clusters(workspace).to_pylist():
        found.setdefault(row["cluster_id"], set()).add(row["article_id"])
    return found


def partition(workspace: Workspace) -> set[frozenset[str]]:
    return {frozenset(group) for group in members(workspace).values()}


def wire_batch() -> list[dict[str, object]]:
    """One story and four wire copies of it, and three unrelated stories on the same topic."""
    base = story(1)
    rows = [
        {"article_id": "orig", "body": body(base), "published_at": "2025-03-02"},
        {"article_id": "headline", "body": body(["Storm Hits Harbor City", *base])},
        {"article_id": "trimmed", "body": body(base[:6]), "published_at": "2025-03-03"},
        {"article_id": "boiler", "body": body(["Advertisement", *base, "Follow us on X."])},
        {"article_id": "reordered", "body": body([base[3], *base[:3], *base[4:]])},
    ]
    rows += [{"article_id": f"other{i}", "body": body(story(100 + i))} for i in range(3)]
    return rows


def test_wire_copies_form_one_cluster_and_same_topic_stories_stay_apart(tmp_path) -> None:
    workspace = Workspace(str(tmp_path))
    write(workspace, "s1", wire_batch())
    report = dedup(workspace)
    assert partition(workspace) == {
        frozenset({"orig", "headline", "trimmed", "boiler", "reordered"})
    }
    assert report.clusters == 1 and report.clustered == 5
    rows = {r["article_id"]: r for r in load_clusters(workspace).to_pylist()}
    assert rows["orig"]["representative"] and rows["orig"]["similarity"] == 1.0
    assert 0.5 <= rows["trimmed"]["similarity"] < 1.0
    again = dedup(workspace)  # nothing new: nothing hashed, nothing compared
    assert (again.shards, again.candidates) == (0, 0)


def test_a_workspace_without_bodies_dedups_to_nothing_twice(tmp_path) -> None:
    workspace = Workspace(tmp_path / "ws")
    for _ in range(2):  # the second run finds no pairs table either
        report = dedup(workspace, DedupConfig())
        assert (report.articles, report.candidates, report.clusters) == (0, 0, 0)
    assert load_clusters(workspace).num_rows == 0


def test_representative_is_earliest_published_then_longest(tmp_path) -> None:
    workspace = Workspace(str(tmp_path))
    base = story(2)
    write(
        workspace,
        "s1",
        [
            {"article_id": "undated-long", "body": body([*base, "More words at the end."])},
            {"article_id": "late", "body": body(base), "published_at": "2025-05-02"},
            {"article_id": "early-short", "body": body(base[:7]), "published_at": "2025-05-01"},
            {"article_id": "early-long", "body": body(base), "published_at": "2025-05-01"},
        ],
    )
    dedup(workspace)
    rows = {r["article_id"]: r for r in load_clusters(workspace).to_pylist()}
    assert [a for a, r in rows.items() if r["representative"]] == ["early-long"]
    assert {r["cluster_id"] for r in rows.values()} == {"early-long"}


def test_a_batch_added_later_gives_the_clusters_of_a_run_from_scratch(tmp_path) -> None:
    batches = [wire_batch()]
    second = story(3)
    batches.append(
        [
            {"article_id": "late-copy", "body": body(story(1)[:7]), "published_at": "2025-01-01"},
            {"article_id": "s3", "body": body(second)},
            {"article_id": "other9", "body": body(story(109))},
        ]
    )
    batches.append([{"article_id": "s3-copy", "body": body(["New headline", *second[:7]])}])
    grown = Workspace(str(tmp_path / "grown"))
    hashed = []
    for number, rows in enumerate(batches):
        write(grown, f"s{number}", rows)
        hashed.append(dedup(grown).shards)
    assert hashed == [1, 1, 1]  # each run hashes only the new shard
    scratch = Workspace(str(tmp_path / "scratch"))
    for number, rows in enumerate(batches):
        write(scratch, f"s{number}", rows)
    dedup(scratch)

    def view(workspace: Workspace) -> set[tuple[object, ...]]:
        return {
            (r["article_id"], r["representative"], round(r["similarity"], 6))
            for r in load_clusters(workspace).to_pylist()
        }

    assert partition(grown) == partition(scratch)
    assert view(grown) == view(scratch)
    # the earlier-published late copy represents the story now, but the key stays
    rows = {r["article_id"]: r for r in load_clusters(grown).to_pylist()}
    assert rows["late-copy"]["representative"] and rows["late-copy"]["cluster_id"] == "orig"


def test_split_key_stays_when_a_cluster_grows_and_the_older_cluster_wins_a_merge(
    tmp_path,
) -> None:
    workspace = Workspace(str(tmp_path))
    config = DedupConfig(threshold=0.4)  # the bridging story is half of each
    one, two = story(4, 4), story(5, 4)
    write(
        workspace,
        "s1",
        [
            {"article_id": "one", "body": body(one), "published_at": "2025-02-01"},
            {"article_id": "one-copy", "body": body(["Headline", *one])},
        ],
    )
    dedup(workspace, config)
    assert split_keys(workspace) == {"one": "one", "one-copy": "one"}
    write(
        workspace,
        "s2",
        [  # an earlier copy: it becomes the representative, the key does not move
            {"article_id": "one-early", "body": body(one[:3]), "published_at": "2024-12-01"},
            {"article_id": "two", "body": body(two), "published_at": "2020-01-01"},
            {"article_id": "two-copy", "body": body(["Other headline", *two])},
        ],
    )
    dedup(workspace, config)
    keys = split_keys(workspace)
    assert {keys["one"], keys["one-copy"], keys["one-early"]} == {"one"}
    assert {keys["two"], keys["two-copy"]} == {"two"}
    # a story that carries both: the clusters merge, the older cluster's key wins even
    # though "two" was published earlier
    write(workspace, "s3", [{"article_id": "both", "body": body([*one, *two])}])
    dedup(workspace, config)
    keys = split_keys(workspace)
    merged = {keys[a] for a in ("one", "one-copy", "one-early", "two", "two-copy", "both")}
    assert merged == {"one"}


def test_a_cluster_whose_bridge_changes_splits_as_a_run_from_scratch(tmp_path) -> None:
    config = DedupConfig(threshold=0.4)  # the bridging story is half of each
    one, two = story(4, 4), story(5, 4)
    first = [
        {"article_id": "one", "body": body(one)},
        {"article_id": "one-copy", "body": body(["Headline", *one])},
        {"article_id": "two", "body": body(two)},
        {"article_id": "two-copy", "body": body(["Other headline", *two])},
    ]
    bridge = [{"article_id": "both", "body": body([*one, *two])}]
    changed = [{"article_id": "both", "body": body(story(6))}]
    grown = Workspace(str(tmp_path / "grown"))
    write(grown, "s1", first)
    write(grown, "s2", bridge)
    dedup(grown, config)
    assert partition(grown) == {frozenset(("one", "one-copy", "two", "two-copy", "both"))}
    # cleaning again changed the bridge: its shard is replaced by one of another name
    grown.delete_shard("bodies", "s2")
    write(grown, "s2-changed", changed)
    dedup(grown, config)
    scratch = Workspace(str(tmp_path / "scratch"))
    write(scratch, "s1", first)
    write(scratch, "s2-changed", changed)
    dedup(scratch, config)
    assert partition(grown) == partition(scratch)
    assert partition(grown) == {frozenset(("one", "one-copy")), frozenset(("two", "two-copy"))}


def test_many_copies_of_one_story_cost_about_one_comparison_each(tmp_path) -> None:
    workspace = Workspace(str(tmp_path))
    base = story(7)
    copies = [
        {"article_id": f"copy{i:03d}", "body": body([*base, f"Copy {i}."])} for i in range(120)
    ]
    write(workspace, "s1", copies)
    report = dedup(workspace)
    assert partition(workspace) == {frozenset(row["article_id"] for row in copies)}
    # every copy shares every band: all pairs would be 120 * 119 / 2 = 7140 per band
    assert report.candidates < 120 * 3


def test_linking_band_keys_range_by_range_gives_the_clusters_of_one_pass(
    tmp_path, monkeypatch
) -> None:
    """A big workspace links its band keys a range at a time (through temporary files):
    the ranges must together hold every band row once, and every bucket whole."""
    batches = [wire_batch(), [{"article_id": "late", "body": body(story(1)[:7])}]]
    results = []
    for rows_per_range in (10**9, 7):
        monkeypatch.setattr("newsdesk.stages.dedup.PARTITION_ROWS", rows_per_range)
        workspace = Workspace(str(tmp_path / str(rows_per_range)))
        for number, rows in enumerate(batches):
            write(workspace, f"s{number}", rows)
            compared = dedup(workspace).candidates
        results.append((load_clusters(workspace), compared))
    (one_pass, compared_once), (by_ranges, compared_by_ranges) = results
    assert by_ranges.num_rows == 6  # orig, its four wire copies and the late one
    assert by_ranges.equals(one_pass) and compared_by_ranges == compared_once

    hashed = _Hashed.read(workspace)
    (tmp_path / "spill").mkdir()
    ranges = [
        (np.fromfile(keys, np.int64), np.fromfile(numbers, np.int64))
        for keys, numbers in hashed.spill_bands(workspace, str(tmp_path / "spill"))
    ]
    bands = workspace.read("lsh_bands", tables.LSH_BANDS)
    numbers = hashed.numbers(bands["article_id"]).tolist()
    expected = sorted(zip(bands["band_key"].to_pylist(), numbers, strict=True))
    assert len(ranges) == -(-bands.num_rows // 7)
    found = [pair for keys, numbers in ranges for pair in zip(keys, numbers, strict=True)]
    assert sorted(found) == expected
    key_sets = [set(keys.tolist()) for keys, _ in ranges]
    assert sum(map(len, key_sets)) == len(set().union(*key_sets))  # no bucket in two ranges


def test_the_representative_rule_is_the_same_for_one_article_and_for_columns() -> None:
    rng = random.Random(5)
    dates = [None, "", "2025-01-02", "2025-01-02T08:00:00Z", "2024-12-31"]
    rows = [
        (rng.randrange(3), rng.choice(dates), rng.randrange(4), f"a{rng.randrange(50):02d}")
        for _ in range(300)
    ]
    groups, published, chars, ids = (list(column) for column in zip(*rows, strict=True))
    order = rank_order(
        np.array(groups), pa.array(published, pa.string()), np.array(chars), pa.array(ids)
    )
    expected = sorted(range(len(rows)), key=lambda i: (groups[i], rank_key(*rows[i][1:])))
    assert [rows[i] for i in order.tolist()] == [rows[i] for i in expected]


def test_other_settings_rehash_every_shard_and_keep_the_keys(tmp_path) -> None:
    workspace = Workspace(str(tmp_path))
    write(workspace, "s1", wire_batch()[:3])
    write(workspace, "s2", wire_batch()[3:])
    dedup(workspace)
    before = split_keys(workspace)
    report = dedup(workspace, DedupConfig(threshold=0.45))
    assert report.shards == 2
    assert split_keys(workspace) == before


@pytest.mark.parametrize("mode", ["skip", "keep"])
def test_campaigns_push_one_article_per_cluster(tmp_path, mode: str) -> None:
    workspace = Workspace(str(tmp_path))
    write(workspace, "s1", wire_batch())
    dedup(workspace)
    campaign = Campaign(name="c", target="t", near_duplicates=mode)
    chosen = {article for _, article in select_articles(workspace, campaign)}
    _, skipped = choose_articles(workspace, campaign)
    others = {"other0", "other1", "other2"}
    if mode == "keep":
        assert chosen == {str(r["article_id"]) for r in wire_batch()} and skipped == 0
    else:
        assert chosen == {"orig", *others} and skipped == 4


def test_the_copy_already_labeled_keeps_its_cluster(tmp_path) -> None:
    """A member pushed before (say, before an earlier copy arrived) stays the one labeled."""
    workspace = Workspace(str(tmp_path))
    write(workspace, "s1", wire_batch())
    dedup(workspace)
    row = {"campaign": "c", "sentence_id": "trimmed:abc", "project_id": 1, "task_id": 7}
    workspace.write_shard("tasks", "t1", pa.Table.from_pylist([row], tables.TASKS))
    keyworded = Campaign(name="c", target="t", keywords=["harbor"])
    chosen = {article for _, article in select_articles(workspace, keyworded)}
    assert "trimmed" in chosen and "orig" not in chosen


def test_published_splits_never_separate_a_cluster(tmp_path) -> None:
    """Across split salts, the wire copies of a story always share its split (by chance alone
    five articles land together under all ten salts about once in 10^4 runs)."""
    from pathlib import Path

    import pyarrow.parquet as pq

    from newsdesk.foundations.config import load_settings
    from newsdesk.foundations.labelschema import load_label_schema
    from newsdesk.publishing.publish import publish
    from newsdesk.stages.segment import segment

    workspace = Workspace(str(tmp_path / "ws"))
    write(workspace, "s1", wire_batch())
    dedup(workspace, DedupConfig())
    segment(workspace)
    sentences = workspace.read("sentences", tables.SENTENCES).to_pylist()
    tasks = [{"campaign": "c", "sentence_id": s["sentence_id"], "project_id": 1, "task_id": i}
             for i, s in enumerate(sentences)]  # fmt: skip
    workspace.write_shard("tasks", "t", pa.Table.from_pylist(tasks, tables.TASKS))
    story_members = next(group for group in members(workspace).values() if "orig" in group)
    assert len(story_members) == 5
    for salt in range(10):
        settings = load_settings(
            Path("/nonexistent/newsdesk.toml"),
            publish__outputs=str(tmp_path / f"out{salt}"),
            publish__split_salt=str(salt),
        ).model_copy(update={"campaigns": [Campaign(name="c", target="T")]})
        result = publish(workspace, settings, load_label_schema())
        files = sorted((result.path / "data" / "articles").glob("*.parquet"))
        rows = pa.concat_tables([pq.read_table(f, columns=["article_id", "split"]) for f in files])
        split_of = dict(zip(rows["article_id"].to_pylist(), rows["split"].to_pylist(), strict=True))
        assert len({split_of[a] for a in story_members}) == 1, (salt, split_of)


def test_every_word_window_is_one_shingle_and_case_and_punctuation_do_not_count() -> None:
    from newsdesk.dedup.minhash import shingle_hashes

    text = "one two three four five six"
    assert len(shingle_hashes(text, 3)) == 4  # one-two-three … four-five-six
    assert len(shingle_hashes("one two", 3)) == 1  # shorter than a shingle: one shingle
    assert len(shingle_hashes("", 3)) == 0
    assert set(shingle_hashes("One, TWO; three!", 3)) == set(shingle_hashes("one two three", 3))
    assert set(shingle_hashes(text, 3)) != set(shingle_hashes("one two three four five", 3))
