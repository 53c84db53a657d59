"""theme.toml: parsing with clear errors, validation of every field, round trips and atomic saving."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from studio.core.manifest import Manifest, ManifestError, load_manifest, save_manifest

GOOD_ID = "0b9e3c1e-5d0f-4c4e-9a57-3c1f0e6a2b7d"


def _good(**changes: object) -> Manifest:
    base = Manifest(
        id=GOOD_ID,
        name="Aurora",
        description="Cool northern lights",
        author="Ada",
        author_url="https://ada.example",
        tags=["dark", "high-contrast", "a11y"],
        version="1.4.0",
        license="MIT",
        allowed_origins=["https://app.example.com", "http://localhost:5173"],
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_a_complete_manifest_is_valid() -> None:
    assert _good().validate() == {}


def test_defaults_and_new() -> None:
    m = Manifest.new("Fresh")
    assert m.validate() == {}
    assert (m.version, m.license, m.tags, m.allowed_origins, m.author_url) == ("0.1.0", "MIT", [], [], "")
    assert m.id != Manifest.new("Fresh").id


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("id", "not-a-uuid", "is not a UUID"),
        ("id", "0b9e3c1e5d0f4c4e9a573c1f0e6a2b7d", "is not a UUID"),  # dashes required
        ("id", "", "is not a UUID"),
        ("name", "", "must not be empty"),
        ("name", "   ", "must not be empty"),
        ("name", "x" * 81, "81 characters long; keep it to 80"),
        ("name", "two\nlines", "single line"),
        ("author_url", "ada.example", "not a web address"),
        ("author_url", "ftp://ada.example", "not a web address"),
        ("author_url", "https://", "not a web address"),
        ("author_url", "https://ada example", "not a web address"),
        ("author_url", "https://ada.example:99999", "not a web address"),
        ("tags", ["Dark"], "'Dark' is not allowed"),
        ("tags", ["dark mode"], "is not allowed"),
        ("tags", [""], "is not allowed"),
        ("tags", ["x" * 33], "is not allowed"),
        ("tags", ["dark", "dark"], "'dark' appears more than once"),
        ("tags", [f"t{i}" for i in range(21)], "21 tags; keep it to 20"),
        ("version", "1.2", "is not a semantic version"),
        ("version", "v1.2.3", "is not a semantic version"),
        ("license", " ", "must not be empty"),
        ("allowed_origins", ["https://app.example.com/"], "must not contain a path"),
        ("allowed_origins", ["https://app.example.com/embed"], "must not contain a path"),
        ("allowed_origins", ["https://app.example.com?x=1"], "must not contain a query"),
        ("allowed_origins", ["https://app.example.com#top"], "must not contain a fragment"),
        ("allowed_origins", ["https://me@app.example.com"], "must not contain a user name"),
        ("allowed_origins", ["app.example.com"], "write it as https://host"),
        ("allowed_origins", ["ftp://app.example.com"], "only https://"),
        ("allowed_origins", ["http://app.example.com"], "plain http:// is only allowed for localhost"),
        ("allowed_origins", ["https://App.example.com"], "lowercase"),
        ("allowed_origins", ["https://app_example.com"], "is not a host name"),
        ("allowed_origins", ["https://-app.example.com"], "is not a host name"),
        ("allowed_origins", ["https://*.example.com"], "is not a host name"),
        ("allowed_origins", ["https://app.example.com:0"], "port must be a number"),
        ("allowed_origins", ["https://app.example.com:65536"], "port must be a number"),
        ("allowed_origins", ["https://app.example.com:"], "port must be a number"),
        ("allowed_origins", ["https://app.example.com:443"], "leave out the default port :443"),
        ("allowed_origins", ["https://[::1"], "closing ]"),
        ("allowed_origins", ["https://[zz::1]"], "is not an IPv6 address"),
        ("allowed_origins", ["https://a.example", "https://a.example"], "appears more than once"),
        ("allowed_origins", ["https://a.example "], "contains spaces"),
    ],
)
def test_each_invalid_field_is_reported_with_a_message(field: str, value: object, fragment: str) -> None:
    errors = _good(**{field: value}).validate()
    assert list(errors) == [field]
    assert fragment in errors[field]


@pytest.mark.parametrize(
    "origin",
    [
        "https://app.example.com",
        "https://app.example.com:8443",
        "http://localhost",
        "http://localhost:5173",
        "http://127.0.0.1:8000",
        "http://[::1]:3000",
        "https://[2001:db8::1]",
        "https://xn--bcher-kva.example",
    ],
)
def test_valid_origins(origin: str) -> None:
    assert _good(allowed_origins=[origin]).validate() == {}


def test_several_invalid_fields_are_all_reported() -> None:
    errors = _good(id="x", name="", version="1", tags=["A"]).validate()
    assert set(errors) == {"id", "name", "version", "tags"}


def test_toml_round_trip_keeps_every_field_and_unknown_keys() -> None:
    text = _good().to_toml() + '\n[preview]\ngallery = "cards"\n'
    m = Manifest.from_toml(text)
    assert dataclasses.replace(m, extra={}) == _good()
    assert m.extra == {"preview": {"gallery": "cards"}}
    again = Manifest.from_toml(m.to_toml())
    assert again == m


def test_to_toml_order_is_stable_and_readable() -> None:
    text = _good().to_toml()
    keys = [line.split(" =")[0] for line in text.splitlines() if " = " in line]
    assert keys == [
        "id",
        "name",
        "description",
        "author",
        "author_url",
        "tags",
        "version",
        "license",
        "allowed_origins",
    ]


def test_missing_optional_fields_take_defaults() -> None:
    m = Manifest.from_toml(f'id = "{GOOD_ID}"\nname = "Bare"\n')
    assert m == Manifest(id=GOOD_ID, name="Bare")


def test_invalid_toml_reports_the_line() -> None:
    with pytest.raises(ManifestError) as info:
        Manifest.from_toml(f'id = "{GOOD_ID}"\nname = "A"\nversion = \n')
    assert info.value.field == ""
    assert info.value.line == 3
    assert str(info.value).startswith("theme.toml is not valid TOML on line 3: ")


@pytest.mark.parametrize(
    ("toml_line", "field", "expected"),
    [
        ("version = 1.0", "version", "a string in quotes"),
        ("tags = 'dark'", "tags", "a list of strings"),
        ("tags = ['dark', 3]", "tags", "a list of strings"),
        ("allowed_origins = 'https://a.example'", "allowed_origins", "a list of strings"),
        ("license = true", "license", "a string in quotes"),
    ],
)
def test_wrong_types_name_the_field_and_line(toml_line: str, field: str, expected: str) -> None:
    text = f'id = "{GOOD_ID}"\nname = "A"\n{toml_line}\n'
    with pytest.raises(ManifestError) as info:
        Manifest.from_toml(text)
    assert info.value.field == field
    assert info.value.line == 3
    assert str(info.value) == f"In theme.toml (line 3), {field} must be {expected}."


@pytest.mark.parametrize("missing", ["id", "name"])
def test_required_fields(missing: str) -> None:
    lines = {"id": f'id = "{GOOD_ID}"', "name": 'name = "A"'}
    del lines[missing]
    with pytest.raises(ManifestError) as info:
        Manifest.from_toml("\n".join(lines.values()))
    assert info.value.field == missing
    assert f"has no {missing}" in str(info.value)


def test_load_and_save(tmp_path: Path) -> None:
    path = tmp_path / "theme.toml"
    save_manifest(path, _good())
    assert load_manifest(path) == _good()
    assert list(tmp_path.iterdir()) == [path]  # no temporary files left


def test_load_refuses_non_utf8(tmp_path: Path) -> None:
    path = tmp_path / "theme.toml"
    path.write_bytes(f'id = "{GOOD_ID}"\nname = "Caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(ManifestError, match="is not UTF-8 text"):
        load_manifest(path)


def test_forked_from_round_trips_and_is_left_out_when_empty(tmp_path: Path) -> None:
    forked = _good(forked_from=f"{GOOD_ID}@1.2.0")
    text = forked.to_toml()
    assert f'forked_from = "{GOOD_ID}@1.2.0"' in text
    assert Manifest.from_toml(text) == forked
    save_manifest(tmp_path / "theme.toml", forked)
    assert load_manifest(tmp_path / "theme.toml").forked_from == f"{GOOD_ID}@1.2.0"
    assert "forked_from" not in _good().to_toml()  # a theme that was not forked keeps its theme.toml
    assert forked.validate() == {}


@pytest.mark.parametrize("value", ["abc", f"{GOOD_ID}", f"{GOOD_ID}@1.2", "not-a-uuid@1.0.0", f"@{GOOD_ID}"])
def test_forked_from_must_be_an_id_at_a_version(value: str) -> None:
    assert "forked_from" in _good(forked_from=value).validate()
