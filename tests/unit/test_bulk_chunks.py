"""The size of each chunk of a pipelined bulk (records/bulk.py `chunk_size`): small until a write
has been timed, since PostgreSQL waits for the first one's validation; then doubling up to
PIPELINE_CHUNK; and never more records than the slowest write so far says fit in a quarter of
the statement timeout."""

from __future__ import annotations

from objectry.records.bulk import FIRST_CHUNK, PIPELINE_CHUNK, SMALLEST_CHUNK, chunk_size


def test_chunks_start_small_and_double_up_to_the_most_a_statement_holds():
    sizes = [chunk_size(0, 0, 15_000), chunk_size(FIRST_CHUNK, 0, 15_000)]  # nothing timed yet
    while len(sizes) < 6:
        sizes.append(chunk_size(sizes[-1], 40e-6, 15_000))
    assert sizes == [FIRST_CHUNK, FIRST_CHUNK, 2 * FIRST_CHUNK, PIPELINE_CHUNK, PIPELINE_CHUNK,
                     PIPELINE_CHUNK]


def test_quick_writes_leave_the_size_alone():
    assert chunk_size(PIPELINE_CHUNK, 40e-6, 15_000) == PIPELINE_CHUNK  # 2,000 in 80 ms


def test_slow_writes_keep_a_chunk_within_a_quarter_of_the_statement_timeout():
    # 0.5 ms a record (30 indexes on a busy server) under a 1 s timeout: 250 ms is 500 records.
    assert chunk_size(PIPELINE_CHUNK, 0.5e-3, 1_000) == 500
    assert chunk_size(FIRST_CHUNK, 0.5e-3, 1_000) == 500
    assert chunk_size(200, 0.5e-3, 1_000) == 400  # still doubling below the cap
    # Never below SMALLEST_CHUNK, however slow: one more statement each is what it would cost.
    assert chunk_size(PIPELINE_CHUNK, 0.1, 1_000) == SMALLEST_CHUNK


def test_no_statement_timeout_sets_no_cap():
    assert chunk_size(PIPELINE_CHUNK, 0.5e-3, 0) == PIPELINE_CHUNK
