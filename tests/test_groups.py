"""Sites and tags (`powerpulse.groups`): what a tag may be, and the list filter."""

from __future__ import annotations

from typing import Any

import pytest

from powerpulse.groups import (
    EVERYTHING,
    MAX_TAGS,
    Filter,
    FilterError,
    clean_tags,
    parse_filter,
    stored_tags,
)


def test_tags_are_trimmed_deduplicated_and_keep_their_first_spelling() -> None:
    assert clean_tags([" rack-a ", "core", "rack-a", "Floor 2", "dc1:row/3", "v1.2_x"]) == [
        "rack-a",
        "core",
        "Floor 2",
        "dc1:row/3",
        "v1.2_x",
    ]
    assert clean_tags([]) == []
    assert clean_tags(["t"] * 50) == ["t"]  # duplicates do not count towards the limit
    assert len(clean_tags([f"t{i}" for i in range(MAX_TAGS)])) == MAX_TAGS


@pytest.mark.parametrize(
    "bad",
    [
        "rack-a",  # not a list
        {"a": 1},
        [1],
        [None],
        [""],
        ["  "],
        ["a,b"],  # the filter's separator
        ["-leading"],
        ["x" * 41],
        ["tab\there"],
        ["é"],
        ["<script>"],
        [f"t{i}" for i in range(MAX_TAGS + 1)],
    ],
)
def test_bad_tags_are_refused_with_a_reason(bad: Any) -> None:
    with pytest.raises(ValueError) as caught:
        clean_tags(bad)
    assert str(caught.value)


def test_stored_tags_reads_whatever_a_row_holds() -> None:
    assert stored_tags(None) == [] and stored_tags("x") == [] and stored_tags({"a": 1}) == []
    assert stored_tags(["a", 3, "b"]) == ["a", "b"]


def test_the_filter_keeps_any_of_its_sites_and_any_of_its_tags() -> None:
    assert parse_filter(None, None) == EVERYTHING and EVERYTHING.everything
    assert parse_filter(" , ", "") == EVERYTHING
    only = parse_filter("paris, lyon", "core,rack-a")
    assert only == Filter(frozenset({"paris", "lyon"}), frozenset({"core", "rack-a"}))
    assert only.matches("paris", ["core"]) and only.matches("lyon", ["x", "rack-a"])
    assert not only.matches("paris", ["x"])  # both conditions must hold
    assert not only.matches(None, ["core"])  # a UPS without a site is in no site
    assert not only.matches("berlin", ["core"])
    by_tag = parse_filter(None, "core")
    assert by_tag.matches(None, ["core"]) and not by_tag.matches("paris", [])


@pytest.mark.parametrize(
    ("site", "tag", "field"),
    [("a b", None, "site"), ("x" * 65, None, "site"), (None, "a;b", "tag"), ("ok", "-x", "tag")],
)
def test_a_bad_filter_value_names_its_parameter(
    site: str | None, tag: str | None, field: str
) -> None:
    with pytest.raises(FilterError) as caught:
        parse_filter(site, tag)
    assert caught.value.field == field and field in str(caught.value)
