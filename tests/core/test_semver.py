"""SemVer 2.0.0 parsing, precedence and bumping."""

from __future__ import annotations

import itertools

import pytest

from studio.core.semver import Version, is_valid

# The precedence example chain from semver.org, section 11.
SPEC_CHAIN = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.9.0",
    "1.10.0",
    "1.11.0",
    "2.0.0",
    "2.1.0",
    "2.1.1",
]


def test_spec_precedence_chain_is_strictly_increasing() -> None:
    versions = [Version.parse(v) for v in SPEC_CHAIN]
    for lower, higher in itertools.pairwise(versions):
        assert lower < higher, (str(lower), str(higher))
        assert higher > lower
        assert lower != higher


def test_sorting_a_shuffled_list_restores_spec_order() -> None:
    shuffled = SPEC_CHAIN[::3] + SPEC_CHAIN[1::3] + SPEC_CHAIN[2::3]
    assert [str(v) for v in sorted(Version.parse(v) for v in shuffled)] == SPEC_CHAIN


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("1.0.0-2", "1.0.0-10"),  # numeric identifiers compare numerically
        ("1.0.0-10", "1.0.0-a"),  # numeric identifiers sort before alphanumeric
        ("1.0.0-Z", "1.0.0-a"),  # alphanumerics compare in ASCII order
        ("1.0.0-a.b", "1.0.0-a.b.c"),  # more identifiers, same prefix: higher
        ("1.0.0-alpha-1", "1.0.0-alpha-2"),
        ("0.9.9", "0.10.0"),
    ],
)
def test_prerelease_precedence_rules(lower: str, higher: str) -> None:
    assert Version.parse(lower) < Version.parse(higher)


def test_build_metadata_is_ignored_in_ordering_but_kept_in_text() -> None:
    a, b = Version.parse("1.0.0+001"), Version.parse("1.0.0+exp.sha.5114f85")
    assert a == b
    assert not a < b
    assert not b < a
    assert hash(a) == hash(b)
    assert str(b) == "1.0.0+exp.sha.5114f85"
    assert Version.parse("1.0.0-rc.1+build.1") < Version.parse("1.0.0")


def test_parse_fields_and_round_trip() -> None:
    v = Version.parse("1.2.3-beta.4+build.7")
    assert (v.major, v.minor, v.patch, v.prerelease, v.build) == (1, 2, 3, ("beta", "4"), ("build", "7"))
    assert str(v) == "1.2.3-beta.4+build.7"
    assert str(Version(1, 0, 0)) == "1.0.0"


@pytest.mark.parametrize(
    "text",
    [
        "1.2",
        "1",
        "v1.2.3",
        "01.2.3",
        "1.02.3",
        "1.2.03",
        "1.2.3-01",  # numeric prerelease identifiers have no leading zeros
        "1.2.3-",
        "1.2.3+",
        "1.2.3-a..b",
        "1.2.3 ",
        "1.2.3\n",
        "1.2.3-é",
        "",
        "-1.2.3",
    ],
)
def test_invalid_versions_are_refused(text: str) -> None:
    assert not is_valid(text)
    with pytest.raises(ValueError, match="is not a semantic version"):
        Version.parse(text)


def test_error_message_names_the_text_and_gives_an_example() -> None:
    with pytest.raises(ValueError, match="semantic version") as info:
        Version.parse("1.2")
    assert str(info.value) == "'1.2' is not a semantic version (expected MAJOR.MINOR.PATCH, e.g. 1.4.0)"


@pytest.mark.parametrize("text", ["0.0.0", "1.2.3-0", "1.2.3-0a", "1.2.3-x-y.0", "1.2.3+01", "10.20.30"])
def test_valid_edge_versions(text: str) -> None:
    assert str(Version.parse(text)) == text


@pytest.mark.parametrize(
    ("start", "part", "expected"),
    [
        ("1.2.3", "patch", "1.2.4"),
        ("1.2.3", "minor", "1.3.0"),
        ("1.2.3", "major", "2.0.0"),
        ("1.2.3+build", "patch", "1.2.4"),
        ("1.2.3-rc.1", "patch", "1.2.3"),
        ("1.2.0-rc.1", "minor", "1.2.0"),
        ("1.2.3-rc.1", "minor", "1.3.0"),
        ("2.0.0-rc.1", "major", "2.0.0"),
        ("2.1.0-rc.1", "major", "3.0.0"),
    ],
)
def test_bump(start: str, part: str, expected: str) -> None:
    bumped = Version.parse(start).bump(part)  # type: ignore[arg-type]
    assert str(bumped) == expected
    assert bumped > Version.parse(start)


def test_comparison_with_other_types_is_not_supported() -> None:
    assert Version(1, 0, 0) != "1.0.0"
    with pytest.raises(TypeError):
        _ = Version(1, 0, 0) < "1.0.0"
