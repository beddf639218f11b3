"""A BI reader for the PostgreSQL publish tests, run as its own process with its own connection.

It queries the published warehouse in a loop until a stop file appears and prints one JSON line per
read: the figures of a cross-schema invariant, or the error. Odd reads use two statements in one
transaction (as a dashboard does), even reads one statement. The invariant, which holds in every
complete build and breaks when the tables come from two different builds:

- sum(members) of customer_value.rpt_rfm_segments = count(*) of customer_value.fct_member_rfm
  = buyers (purchases_lifetime > 0) of member_facts.fct_members;
- the as_of_date of all three tables is one and the same date.

usage: python pg_reader.py HOST PORT USER DATABASE STOP_FILE
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

SEGMENTS = "select sum(members), min(as_of_date), max(as_of_date) from customer_value.rpt_rfm_segments"
RFM = "select count(*), min(as_of_date), max(as_of_date) from customer_value.fct_member_rfm"
MEMBERS = (
    "select count(*) filter (where purchases_lifetime > 0), min(as_of_date), max(as_of_date) "
    "from member_facts.fct_members"
)
ONE_STATEMENT = f"select * from ({SEGMENTS}) as segments, ({RFM}) as rfm, ({MEMBERS}) as members"


def figures(row: tuple) -> dict:
    """The three counts and the dates of one read, and whether they are one consistent build."""
    counts = [int(row[0] or 0), int(row[3]), int(row[6])]
    dates = {str(value) for value in (row[1], row[2], row[4], row[5], row[7], row[8])}
    return {"counts": counts, "dates": sorted(dates), "consistent": len(set(counts)) == 1 and len(dates) == 1}


def read_once(con, two_statements: bool) -> tuple:
    with con.cursor() as cur:
        if two_statements:
            cur.execute(SEGMENTS)
            segments = cur.fetchone()
            cur.execute(RFM)
            rfm = cur.fetchone()
            cur.execute(MEMBERS)
            row = segments + rfm + cur.fetchone()
        else:
            cur.execute(ONE_STATEMENT)
            row = cur.fetchone()
    con.commit()  # ends the read transaction
    return row


def main(host: str, port: str, user: str, database: str, stop_file: str) -> None:
    import psycopg2

    stop = Path(stop_file)
    con = psycopg2.connect(host=host, port=int(port), user=user, dbname=database)
    number = 0
    while not stop.exists():
        number += 1
        started = time.time()
        try:
            result = figures(read_once(con, two_statements=number % 2 == 1))
        except Exception as exc:  # noqa: BLE001 - every error is reported, none stops the loop
            con.rollback()
            result = {"error": f"{type(exc).__name__}: {str(exc).strip()}"}
        result.update(started=started, seconds=time.time() - started)
        print(json.dumps(result), flush=True)
        time.sleep(0.02)  # about 50 reads a second: dense enough around a publish, light on 2 cores
    con.close()


if __name__ == "__main__":
    main(*sys.argv[1:6])
