"""Cursor paging, without a database: the cap, the cursor, and "read one more, cut, point on"."""

from __future__ import annotations

import pytest

from memory_service.errors import InvalidInputError
from memory_service.pagination import MAX_PAGE_SIZE, PageRequest, decode_cursor, encode_cursor


def test_a_cursor_is_the_key_it_was_made_from() -> None:
    assert decode_cursor(encode_cursor(42)) == 42
    assert decode_cursor(None) is None and decode_cursor("") is None
    for bad in ("not-a-cursor", encode_cursor(1)[:-2] + "!!"):
        with pytest.raises(InvalidInputError, match="invalid cursor"):
            decode_cursor(bad)


def test_a_request_checks_its_limit_and_reads_one_more() -> None:
    request = PageRequest.of(3, encode_cursor(10))
    assert (request.limit, request.after, request.fetch) == (3, 10, 4)
    assert PageRequest.of(MAX_PAGE_SIZE, None).after is None
    for limit in (0, MAX_PAGE_SIZE + 1):
        with pytest.raises(InvalidInputError, match="limit must be between"):
            PageRequest.of(limit, None)


def test_a_full_read_is_cut_to_the_page_and_points_after_its_last_item() -> None:
    request = PageRequest(limit=2, after=None)
    page = request.page([5, 7, 9], key=lambda n: n)
    assert page.items == (5, 7) and decode_cursor(page.next_cursor) == 7


def test_a_short_read_is_the_last_page() -> None:
    request = PageRequest(limit=2, after=None)
    assert request.page([5, 7], key=lambda n: n).next_cursor is None
    assert request.page([], key=lambda n: n).next_cursor is None


def test_items_can_differ_from_the_rows_that_carry_the_keys() -> None:
    rows = [(3, "a"), (4, "b"), (8, "c")]
    page = PageRequest(limit=2, after=None).page(rows, key=lambda row: row[0], item=lambda row: row[1])
    assert page.items == ("a", "b") and decode_cursor(page.next_cursor) == 4
