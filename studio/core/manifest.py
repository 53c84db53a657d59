"""The theme manifest (``theme.toml``): identity and metadata of a theme, validated field by field."""

from __future__ import annotations

import ipaddress
import re
import tomllib
import uuid
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomli_w

from studio.core.atomic import atomic_write_text
from studio.core.limits import MAX_MANIFEST_BYTES, InputLimitError, InputTooDeepError, load_toml, read_limited
from studio.core.semver import is_valid as is_valid_version

MANIFEST_FILE = "theme.toml"
MAX_NAME_LENGTH = 80
MAX_TAGS = 20
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_TAG = re.compile(r"[a-z0-9-]{1,32}\Z")
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)\Z")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_DEFAULT_PORTS = {"https": 443, "http": 80}
_OMITTED_WHEN_EMPTY = frozenset({"forked_from"})


class ManifestError(ValueError):
    """``theme.toml`` cannot be read: bad TOML, a missing required field or a value of the wrong type.

    Attributes:
        field: the offending field, or ``""`` when the file as a whole is at fault (e.g. a TOML syntax error).
        message: one sentence for the user, with the line number where known.
        line: 1-based line in ``theme.toml`` where known, else ``None``.
    """

    def __init__(self, field: str, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.line = line


@dataclass
class Manifest:
    """Metadata of one theme, as stored in ``theme.toml``.

    ``extra`` keeps keys this version of the studio does not know, so saving never drops them.
    """

    id: str
    name: str
    description: str = ""
    author: str = ""
    author_url: str = ""
    tags: list[str] = field(default_factory=list)
    version: str = "0.1.0"
    license: str = "MIT"
    allowed_origins: list[str] = field(default_factory=list)
    forked_from: str = ""  # "<theme id>@<version>" of the release this theme was started from
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def new(cls, name: str) -> Manifest:
        """A fresh manifest with a random id and the default version."""
        return cls(id=str(uuid.uuid4()), name=name)

    def validate(self) -> dict[str, str]:
        """Check every field; returns field name → message per invalid field, ``{}`` when all are valid."""
        errors: dict[str, str] = {}
        if not _UUID.match(self.id):
            errors["id"] = f"id {self.id!r} is not a UUID (e.g. 0b9e3c1e-5d0f-4c4e-9a57-3c1f0e6a2b7d)"
        name = self.name.strip()
        if not name:
            errors["name"] = "The name must not be empty."
        elif len(name) > MAX_NAME_LENGTH:
            errors["name"] = f"The name is {len(name)} characters long; keep it to {MAX_NAME_LENGTH} at most."
        elif any(ch in name for ch in "\r\n\t"):
            errors["name"] = "The name must be a single line."
        if self.author_url and not _is_web_url(self.author_url):
            errors["author_url"] = (
                f"{self.author_url!r} is not a web address; use a full http(s) URL such as "
                "https://example.com/you, or leave it empty."
            )
        tag_error = _tags_error(self.tags)
        if tag_error:
            errors["tags"] = tag_error
        if not is_valid_version(self.version):
            errors["version"] = (
                f"{self.version!r} is not a semantic version (expected MAJOR.MINOR.PATCH, e.g. 1.4.0)."
            )
        if not self.license.strip():
            errors["license"] = "The license must not be empty; use an SPDX identifier such as MIT."
        origin_error = _origins_error(self.allowed_origins)
        if origin_error:
            errors["allowed_origins"] = origin_error
        if self.forked_from and not is_fork_reference(self.forked_from):
            errors["forked_from"] = (
                f"forked_from {self.forked_from[:120]!r} is not <theme id>@<version> "
                "(e.g. 0b9e3c1e-5d0f-4c4e-9a57-3c1f0e6a2b7d@1.2.0)."
            )
        return errors

    def to_toml(self) -> str:
        """The manifest as TOML text, known fields first in a stable order."""
        data: dict[str, Any] = {}
        for f in fields(self):
            if f.name in _OMITTED_WHEN_EMPTY and not getattr(self, f.name):
                continue  # a theme that was not forked keeps the theme.toml it always had
            if f.name != "extra":
                data[f.name] = getattr(self, f.name)
        for key, value in self.extra.items():
            data.setdefault(key, value)
        return tomli_w.dumps(data)

    @classmethod
    def from_toml(cls, text: str) -> Manifest:
        """Parse ``theme.toml`` text; values are type-checked here, checked for meaning by :meth:`validate`.

        Raises:
            ManifestError: invalid TOML, a missing ``id`` or ``name``, or a value of the wrong type.
        """
        try:
            data = load_toml(text, MANIFEST_FILE)
        except InputTooDeepError as exc:
            raise ManifestError("", f"{exc.message}", exc.line) from None
        except tomllib.TOMLDecodeError as exc:
            position = _TOML_POSITION.search(str(exc))
            line = int(position.group(1)) if position else None
            detail = _TOML_POSITION.sub("", str(exc)).strip()
            where = f" on line {line}" if line else ""
            raise ManifestError("", f"theme.toml is not valid TOML{where}: {detail}.", line) from exc
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            if f.name not in data:
                if f.name in ("id", "name"):
                    raise ManifestError(f.name, f'theme.toml has no {f.name}; add a line {f.name} = "…".')
                continue
            value = data.pop(f.name)
            is_list = f.name in ("tags", "allowed_origins")
            ok = (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
                if is_list
                else isinstance(value, str)
            )
            if not ok:
                line = _line_of(text, f.name)
                where = f" (line {line})" if line else ""
                expected = "a list of strings" if is_list else "a string in quotes"
                raise ManifestError(f.name, f"In theme.toml{where}, {f.name} must be {expected}.", line)
            values[f.name] = list(value) if is_list else value
        return cls(**values, extra=data)


def fork_reference(theme_id: str, version: str) -> str:
    """The ``forked_from`` value of a theme started from ``theme_id@version``."""
    return f"{theme_id}@{version}"


def is_fork_reference(value: str) -> bool:
    """Whether ``value`` is ``<UUID>@<semantic version>``."""
    theme_id, at, version = value.partition("@")
    return bool(at) and bool(_UUID.match(theme_id)) and is_valid_version(version)


def load_manifest(path: Path) -> Manifest:
    """Read and parse a ``theme.toml`` file.

    Raises:
        ManifestError: the file is too large, nested too deep, not UTF-8 or not a valid manifest.
        OSError: the file cannot be read.
    """
    try:
        raw = read_limited(Path(path), MAX_MANIFEST_BYTES, MANIFEST_FILE)
    except InputLimitError as exc:
        raise ManifestError("", exc.message) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ManifestError("", f"{path} is not UTF-8 text; save it as UTF-8.") from exc
    return Manifest.from_toml(text)


def save_manifest(path: Path, manifest: Manifest) -> None:
    """Write ``theme.toml`` atomically.

    Raises:
        StorageError: the write failed.
    """
    atomic_write_text(Path(path), manifest.to_toml())


def _line_of(text: str, key: str) -> int | None:
    match = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _is_web_url(url: str) -> bool:
    if any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _tags_error(tags: list[str]) -> str | None:
    for tag in tags:
        if not _TAG.match(tag):
            return (
                f"Tag {tag!r} is not allowed; use 1–32 lowercase letters, digits or hyphens (e.g. dark-mode)."
            )
    if len(tags) > MAX_TAGS:
        return f"There are {len(tags)} tags; keep it to {MAX_TAGS} at most."
    seen: set[str] = set()
    for tag in tags:
        if tag in seen:
            return f"Tag {tag!r} appears more than once."
        seen.add(tag)
    return None


def _origins_error(origins: list[str]) -> str | None:
    seen: set[str] = set()
    for origin in origins:
        problem = _origin_problem(origin)
        if problem:
            return f"{origin!r} is not an allowed origin: {problem}."
        if origin in seen:
            return f"{origin!r} appears more than once."
        seen.add(origin)
    return None


def _origin_problem(origin: str) -> str | None:
    """Why ``origin`` is not exactly ``scheme://host[:port]`` as browsers send it in the Origin header."""
    if any(ch.isspace() for ch in origin):
        return "it contains spaces"
    scheme, sep, rest = origin.partition("://")
    if not sep:
        return "write it as https://host or https://host:port"
    if scheme not in ("http", "https"):
        return "only https:// origins (or http:// for localhost) are allowed"
    for mark, what in (("/", "a path"), ("?", "a query"), ("#", "a fragment"), ("@", "a user name")):
        if mark in rest:
            return f"it must not contain {what}; use just {scheme}://host[:port]"
    host, port_text = rest, ""
    if rest.startswith("["):
        end = rest.find("]")
        if end < 0:
            return "the IPv6 address is missing its closing ]"
        host, port_text = rest[: end + 1], rest[end + 1 :]
        if port_text and not port_text.startswith(":"):
            return "unexpected text after the host"
        port_text = port_text[1:]
        if not _is_ipv6(host[1:-1]):
            return f"{host} is not an IPv6 address"
    elif ":" in rest:
        host, _, port_text = rest.partition(":")
    if host != host.lower():
        return "write the host in lowercase, as browsers send it"
    if not host.startswith("[") and not all(_HOST_LABEL.match(label) for label in host.split(".")):
        return f"{host!r} is not a host name"
    if port_text or ":" in rest[len(host) :]:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            return "the port must be a number from 1 to 65535"
        if int(port_text) == _DEFAULT_PORTS[scheme]:
            return f"leave out the default port :{port_text}, browsers never send it"
    if scheme == "http" and host not in LOCAL_HOSTS:
        return "use https:// (plain http:// is only allowed for localhost)"
    return None


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True
