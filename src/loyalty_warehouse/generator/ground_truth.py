"""What the generator planted, per member: the answers the marts' tests are scored against."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from .columns import code, codes, names_of, optional_timestamps
from .config import ADVOCATES, ARCHETYPES, KOC_BEHAVIOURS, NONE
from .members import MemberBlock, member_ids

GROUND_TRUTH_SCHEMA = pa.schema(
    [
        ("member_id", pa.string()),
        ("archetype", pa.string()),
        ("koc_behaviour", pa.string()),
        ("is_super_user", pa.bool_()),
        ("is_koc", pa.bool_()),
        ("is_dormant_koc", pa.bool_()),
        ("is_posting_only_decline", pa.bool_()),
        ("is_graduated_koc", pa.bool_()),
        ("is_churned", pa.bool_()),
        ("is_reactivated", pa.bool_()),
        ("churned_at", pa.timestamp("us")),
        ("reactivated_at", pa.timestamp("us")),
        ("behaviour_change_at", pa.timestamp("us")),
    ]
)


def ground_truth_table(members: MemberBlock) -> pa.Table:
    behaviour = members.koc_behaviour
    return pa.table(
        {
            "member_id": member_ids(members.number),
            "archetype": names_of(ARCHETYPES, members.archetype),
            "koc_behaviour": names_of(KOC_BEHAVIOURS, behaviour),
            # KOCs are planted high-value too: the value model counts content and social value (spec C05)
            "is_super_user": pa.array(np.isin(members.archetype, codes(ARCHETYPES, *ADVOCATES))),
            "is_koc": pa.array(behaviour != NONE),
            "is_dormant_koc": pa.array(behaviour == code(KOC_BEHAVIOURS, "dormant")),
            "is_posting_only_decline": pa.array(behaviour == code(KOC_BEHAVIOURS, "posting_only_decline")),
            "is_graduated_koc": pa.array(behaviour == code(KOC_BEHAVIOURS, "graduate")),
            "is_churned": pa.array((members.churn_at != NONE) & (members.return_at == NONE)),
            "is_reactivated": pa.array(members.return_at != NONE),
            "churned_at": optional_timestamps(members.churn_at),
            "reactivated_at": optional_timestamps(members.return_at),
            "behaviour_change_at": optional_timestamps(members.behaviour_change_at),
        },
        schema=GROUND_TRUTH_SCHEMA,
    )
