"""The generator: deterministic, true to the contract, and realistic where the marts need it."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from loyalty_warehouse.cli import main
from loyalty_warehouse.contract import RAW_TABLES
from loyalty_warehouse.generator import BAD_ROW_CLASSES, GeneratorConfig, generate

# Small blocks, so a small dataset spans several of them and cross-block facts are exercised.
MULTI_BLOCK = GeneratorConfig(members=1_200, seed=5, block_members=300)


@pytest.fixture(scope="module")
def multi_block_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("multi_block")
    generate(MULTI_BLOCK, out)
    return out


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_arguments_give_byte_identical_files(tmp_path: Path) -> None:
    cfg = GeneratorConfig(members=800, seed=11)
    generate(cfg, tmp_path / "a")
    generate(cfg, tmp_path / "b")
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    generate(GeneratorConfig(members=800, seed=11), tmp_path / "a")
    generate(GeneratorConfig(members=800, seed=12), tmp_path / "b")
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert a["raw_orders.parquet"] != b["raw_orders.parquet"]


def test_every_file_has_the_contract_schema(small_raw: Path) -> None:
    for table in RAW_TABLES:
        schema = pq.read_schema(small_raw / f"{table.name}.parquet")
        assert [f.name for f in schema] == [c.name for c in table.columns], table.name
        assert [f.type for f in schema] == [c.type for c in table.columns], table.name


def test_enumerations_stay_within_the_contract(small_raw: Path) -> None:
    con = duckdb.connect()
    for table in RAW_TABLES:
        for col in table.columns:
            if not col.allowed or col.name == "social_platforms":
                continue
            path = (small_raw / f"{table.name}.parquet").as_posix()
            values = {
                r[0]
                for r in con.execute(
                    f"select distinct {col.name} from '{path}' where {col.name} is not null"
                ).fetchall()
            }
            assert values <= set(col.allowed), f"{table.name}.{col.name}: {values - set(col.allowed)}"


@pytest.mark.parametrize("dataset", ["small_raw", "multi_block_raw"])
def test_invariants_of_the_raw_data(dataset: str, request: pytest.FixtureRequest) -> None:
    raw = request.getfixturevalue(dataset)
    con = duckdb.connect()
    con.execute(f"set file_search_path = '{raw.as_posix()}'")
    q = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    # ids are unique except for the planted exact replays
    assert q("select count(*) - count(distinct order_id) from (select distinct * from 'raw_orders.parquet')") == 0
    assert q("select count(*) - count(distinct event_id) from (select distinct * from 'raw_interactions.parquet')") == 0
    assert q("select count(*) - count(distinct member_id) from 'raw_members.parquet'") == 0
    # money is consistent
    assert q("select count(*) from 'raw_orders.parquet' where refund_amount > paid_amount or paid_amount < 0") == 0
    assert q("select count(*) from 'raw_orders.parquet' where paid_amount > gross_amount + 0.01") == 0
    # nobody orders before registering, and referrers registered before the people they referred
    assert (
        q(
            "select count(*) from 'raw_orders.parquet' o join 'raw_members.parquet' m using (member_id) "
            "where o.ordered_at < m.registered_at"
        )
        == 0
    )
    assert (
        q(
            "select count(*) from 'raw_members.parquet' m join 'raw_members.parquet' r "
            "on m.referrer_member_id = r.member_id where r.registered_at > m.registered_at or "
            "m.referrer_member_id = m.member_id"
        )
        == 0
    )
    # member ids follow registration order, as a CRM issues them
    assert (
        q(
            "select count(*) from (select registered_at, lag(registered_at) over (order by member_id) as previous "
            "from 'raw_members.parquet') where registered_at < previous"
        )
        == 0
    )
    # every event's and order's member exists, and so does every related member
    for table, column in (
        ("raw_orders", "member_id"),
        ("raw_interactions", "member_id"),
        ("raw_interactions", "related_member_id"),
    ):
        assert (
            q(
                f"select count(*) from '{table}.parquet' t anti join 'raw_members.parquet' m on t.{column} = "
                "m.member_id "
                f"where t.{column} is not null"
            )
            == 0
        ), (table, column)
    # post ids are unique per ugc_post event, and the metrics describe existing posts of the same member
    assert (
        q(
            "select count(*) - count(distinct content_id) from (select distinct * from 'raw_interactions.parquet') "
            "where event_type = 'ugc_post'"
        )
        == 0
    )
    assert (
        q(
            "select count(*) from 'raw_ugc_post_metrics.parquet' p anti join 'raw_interactions.parquet' e "
            "on e.content_id = p.post_id and e.member_id = p.member_id and e.event_type = 'ugc_post'"
        )
        == 0
    )
    assert q("select count(*) - count(distinct participation_id) from 'raw_koc_participations.parquet'") == 0
    # each referral is announced by the referrer: one referral_registered event naming the member, at registration
    assert (
        q(
            "select count(*) from 'raw_members.parquet' m left join (select distinct * from "
            "'raw_interactions.parquet') e "
            "on e.event_type = 'referral_registered' and e.related_member_id = m.member_id "
            "and e.member_id = m.referrer_member_id and e.occurred_at = m.registered_at "
            "where m.referrer_member_id is not null and e.event_id is null"
        )
        == 0
    )
    # the ground truth has one row per member
    assert (
        q(
            "select count(*) from 'ground_truth.parquet' g full join 'raw_members.parquet' m using (member_id) "
            "where g.member_id is null or m.member_id is null"
        )
        == 0
    )
    # every timestamp is inside the configured range
    assert q("select max(ordered_at) from 'raw_orders.parquet'") <= dt.datetime(2024, 12, 31, 23, 59, 59)
    assert q("select min(registered_at) from 'raw_members.parquet'") >= dt.datetime(2023, 1, 1)
    # each participation's post is a real ugc_post event of the same member
    assert (
        q(
            "select count(*) from 'raw_koc_participations.parquet' p left join 'raw_interactions.parquet' e "
            "on e.content_id = p.post_id and e.event_type = 'ugc_post' and e.member_id = p.member_id "
            "where p.post_id is not null and e.event_id is null"
        )
        == 0
    )
    # post metrics are cumulative: they never decrease over observations
    assert (
        q(
            "select count(*) from (select exposures, lag(exposures) over (partition by post_id order by "
            "observed_at) as prev "
            "from 'raw_ugc_post_metrics.parquet') where exposures < prev"
        )
        == 0
    )


def test_blocks_share_the_id_spaces_and_refer_across_blocks(multi_block_raw: Path) -> None:
    """Ids run on across blocks (no block restarts them), and members refer members of earlier blocks."""
    con = duckdb.connect()
    con.execute(f"set file_search_path = '{multi_block_raw.as_posix()}'")
    q = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    block = MULTI_BLOCK.block_members
    members = q("select count(*) from 'raw_members.parquet'")
    assert members == MULTI_BLOCK.members and MULTI_BLOCK.blocks == 4
    orders = q("select count(distinct order_id) from 'raw_orders.parquet'")
    assert q("select max(order_id) from 'raw_orders.parquet'") == f"O{orders:09d}"
    events = q("select count(distinct event_id) from 'raw_interactions.parquet'")
    assert q("select max(event_id) from 'raw_interactions.parquet'") == f"E{events:010d}"
    posts = q("select count(distinct content_id) from 'raw_interactions.parquet' where event_type = 'ugc_post'")
    assert q("select max(content_id) from 'raw_interactions.parquet' where event_type = 'ugc_post'") == f"P{posts:08d}"
    block_of = f"(cast(substr({{column}}, 2) as integer) - 1) // {block}"
    cross_block = q(
        f"select count(*) from 'raw_members.parquet' "
        f"where referrer_member_id is not null "
        f"and {block_of.format(column='referrer_member_id')} < {block_of.format(column='member_id')}"
    )
    assert cross_block > 10


def test_the_number_of_workers_does_not_change_the_files(tmp_path: Path) -> None:
    generate(MULTI_BLOCK, tmp_path / "one", workers=1)
    generate(MULTI_BLOCK, tmp_path / "two", workers=2)
    assert _digests(tmp_path / "one") == _digests(tmp_path / "two")


def test_generate_command_reports_each_block(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["generate", "--members", "450", "--block-members", "200", "--seed", "3", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    for number in (1, 2, 3):
        assert f"block {number} of 3" in result.stderr
    assert "rows/s" in result.stderr and "peak RSS" in result.stderr
    assert '"raw_members": 450' in result.stdout


def test_planted_behaviours_are_realistic(small_raw: Path) -> None:
    con = duckdb.connect()
    con.execute(f"set file_search_path = '{small_raw.as_posix()}'")
    rows = con.execute(
        """
        with purchases as (
            select member_id, count(*) as n, sum(paid_amount - refund_amount) as amount
            from 'raw_orders.parquet' where status in ('paid', 'partially_refunded') group by member_id
        )
        select g.archetype, count(*) as members, median(coalesce(p.n, 0)) as orders,
               sum(coalesce(p.amount, 0)) as gmv
        from 'ground_truth.parquet' g left join purchases p using (member_id)
        group by g.archetype
        """
    ).fetchall()
    by = {r[0]: r for r in rows}
    total_gmv = sum(r[3] for r in rows)
    total_members = sum(r[1] for r in rows)
    # a minority of planted high-value members (super users and KOCs, about 20 %) holds most GMV (20/80-like)
    high_value = by["super_user"][1] + by["koc"][1]
    assert 0.15 < high_value / total_members < 0.25
    assert (by["super_user"][3] + by["koc"][3]) / total_gmv > 0.5
    assert by["prospect"][2] == 0
    print({k: v[1:] for k, v in by.items()})


def test_bad_rows_option_plants_every_class(tmp_path: Path) -> None:
    generate(GeneratorConfig(members=500, seed=3, bad_rows=True), tmp_path)
    manifest = pq.read_table(tmp_path / "bad_rows_manifest.parquet").to_pylist()
    assert {row["bad_class"] for row in manifest} == set(BAD_ROW_CLASSES)


def test_too_few_members_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="--members must be at least 100"):
        GeneratorConfig(members=10)
    with pytest.raises(ValueError, match="--block-members must be at least 100"):
        GeneratorConfig(members=1_000, block_members=10)
