"""Referral loops of any length are found, and nothing else is called a loop.

dbt cannot unit-test a model with recursive SQL, so this builds the members' quarantine model
(`dbt build --select +qrn_raw__members`, cautious: the seeds it reads, the model and the tests
of those alone) on a
members file whose referrer chains were rewritten by hand, and compares the verdicts with the
loops planted. Chains: a 12-member loop with a tail of two members leading into it, a 2-member
loop, a self-referral, a chain of 300 members ending at a member with no referrer (deeper than
Spark's default recursion limit of 100 steps), and a referrer who is not in the file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from loyalty_warehouse.runner import run_dbt

pytestmark = pytest.mark.e2e


def _plant_chains(member_ids: list[str]) -> tuple[dict[str, str | None], dict[str, str]]:
    """Referrer per member id, and the reason each planted member must be held back with."""
    ids = iter(member_ids)
    referrers: dict[str, str | None] = {member: None for member in member_ids}
    expected: dict[str, str] = {}

    big_loop = [next(ids) for _ in range(12)]
    for position, member in enumerate(big_loop):
        referrers[member] = big_loop[(position + 1) % len(big_loop)]
        expected[member] = "referral_loop"
    tail_first, tail_second = next(ids), next(ids)
    referrers[tail_first] = big_loop[4]  # leads into the loop: not in it
    referrers[tail_second] = tail_first

    small_loop = [next(ids), next(ids)]
    referrers[small_loop[0]], referrers[small_loop[1]] = small_loop[1], small_loop[0]
    expected.update({member: "referral_loop" for member in small_loop})

    self_referrer = next(ids)
    referrers[self_referrer] = self_referrer
    expected[self_referrer] = "self_referral"

    chain = [next(ids) for _ in range(300)]
    for upper, lower in zip(chain, chain[1:], strict=False):
        referrers[lower] = upper  # chain[0] has no referrer
    unknown = next(ids)
    referrers[unknown] = "MNOT-IN-FILE"
    expected[unknown] = "unknown_referrer"
    return referrers, expected


@pytest.fixture(scope="module")
def verdicts(small_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str | None], dict]:
    work = tmp_path_factory.mktemp("referral_loops")
    members = pq.read_table(small_raw / "raw_members.parquet").slice(0, 1000)
    member_ids = members.column("member_id").to_pylist()
    referrers, expected = _plant_chains(member_ids)
    column = pa.array(
        [referrers[member] for member in member_ids], type=members.schema.field("referrer_member_id").type
    )
    members = members.set_column(members.schema.get_field_index("referrer_member_id"), "referrer_member_id", column)
    path = work / "raw_members.parquet"
    pq.write_table(members, path)

    warehouse = work / "loyalty.duckdb"
    run_dbt(
        ["build", "--select", "+qrn_raw__members", "--indirect-selection", "cautious"],
        warehouse,
        {"raw_locations": {"raw_members": str(path)}},
        target_path=work / "target",
        progress=print,
    )
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("select record_key, quarantine_reason from quarantine.qrn_raw__members").fetchall()
    finally:
        con.close()
    return dict(rows), expected


def test_every_loop_member_and_only_they_are_held_back_as_loops(verdicts: tuple[dict, dict]) -> None:
    found, expected = verdicts
    loops_found = sorted(member for member, reason in found.items() if reason == "referral_loop")
    loops_planted = sorted(member for member, reason in expected.items() if reason == "referral_loop")
    assert loops_found == loops_planted


def test_members_leading_into_loops_and_long_chains_are_kept(verdicts: tuple[dict, dict]) -> None:
    found, expected = verdicts
    wrongly_held = {member: reason for member, reason in found.items() if reason and member not in expected}
    assert not wrongly_held, wrongly_held


def test_self_referrals_and_unknown_referrers_keep_their_own_reason(verdicts: tuple[dict, dict]) -> None:
    found, expected = verdicts
    others = {member: reason for member, reason in expected.items() if reason != "referral_loop"}
    assert {member: found[member] for member in others} == others
