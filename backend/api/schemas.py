"""Request and response bodies (Create / Update / Public, as in the FastAPI template)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from backend.semver import Version

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Description = Annotated[str, StringConstraints(max_length=2000)]
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")


def _url(value: str) -> str:
    if len(value) > 2000 or not _URL.match(value):
        raise ValueError("must be an http(s) URL")
    return value


def _semver(value: str) -> str:
    Version(value)
    return value


HttpUrl = Annotated[str, AfterValidator(_url)]
SemVer = Annotated[str, StringConstraints(max_length=64), AfterValidator(_semver)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ThemeCreate(Strict):
    id: UUID | None = Field(default=None, description="The id from theme.toml; generated when omitted.")
    name: Name
    description: Description = ""
    author_url: HttpUrl | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=20)


class ThemeUpdate(Strict):
    name: Name | None = None
    description: Description | None = None
    author_url: HttpUrl | None = None
    tags: list[Tag] | None = Field(default=None, max_length=20)
    published: bool | None = None
    review_required: bool | None = Field(
        default=None, description="Releases must carry an approved draft with the same theme.css sha256."
    )


class ThemeSummary(BaseModel):
    id: UUID
    name: str
    description: str
    author_id: UUID
    author: str
    author_url: str | None
    tags: list[str]
    version: str | None
    css_url: str | None
    published: bool
    review_required: bool
    created_at: datetime
    updated_at: datetime


class ThemePublic(ThemeSummary):
    available_versions: list[str]


class ThemePage(BaseModel):
    items: list[ThemeSummary]
    next_cursor: str | None


class ContrastWaiverCreate(Strict):
    """Why the author publishes despite contrast failures (the failing pairs are the server's finding)."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class ContrastFailurePublic(BaseModel):
    foreground: str
    background: str
    scheme: str
    ratio: float = Field(description="WCAG 2 contrast ratio (AA needs 4.5 for normal text).")
    apca: float = Field(description="APCA Lc, advice only.")


class ContrastWaiverPublic(BaseModel):
    """A recorded waiver: the reason, the failing pairs the server found, who accepted them."""

    reason: str
    failures: list[ContrastFailurePublic]
    accepted_by: UUID | None = None


class VersionCreate(Strict):
    """A release to verify and register. No URLs: the server derives every key and URL from its layout."""

    version: SemVer
    changes: Annotated[str, StringConstraints(max_length=10_000)] = ""
    sha256: Sha256 = Field(description="sha256 of the uploaded theme.css; the server checks the stored one.")
    size: int = Field(ge=0, le=1 << 40, description="Byte size of the uploaded theme.css.")
    draft_id: UUID | None = Field(
        default=None, description="An approved draft of this theme with the same theme.css sha256."
    )
    contrast_waiver: ContrastWaiverCreate | None = Field(
        default=None,
        description="The author's reason for publishing although text/background token pairs fail WCAG 2 AA. "
        "The server finds the failing pairs itself; without a waiver such a release is refused (422).",
    )


class VersionPublic(BaseModel):
    id: UUID
    theme_id: UUID
    version: str
    changes: str
    sha256: str
    size: int
    css_url: str
    published_by: UUID | None
    yanked_at: datetime | None
    created_at: datetime
    sri: str | None = Field(description="sha384 of the verified theme.css, for <link integrity>.")
    manifest_key: str | None = Field(description="The signed release manifest (None before verification).")
    draft_id: UUID | None = None
    contrast_waiver: ContrastWaiverPublic | None = Field(
        default=None, description="Set when the release was published despite WCAG 2 AA contrast failures."
    )


class LatestAliasPublic(BaseModel):
    """What happened to ``themes-published/<id>/latest/theme.css``."""

    action: Literal["moved", "unchanged", "removed", "kept", "failed"]
    version: str | None
    key: str
    url: str
    message: str


class ReleasePublic(VersionPublic):
    """A registered release: the version, its SRI and manifest, and what registering did to ``latest``."""

    manifest_url: str | None = None
    latest_alias: LatestAliasPublic


class Finding(BaseModel):
    """Why verification refused a release (``line`` for theme.css lint findings)."""

    rule: str
    message: str
    line: int | None
    key: str | None


class VerificationFailed(BaseModel):
    error: Literal["verification_failed"]
    message: str
    findings: list[Finding]


class SigningKey(BaseModel):
    keyid: str
    alg: Literal["Ed25519"]
    public_key: str = Field(description="Standard base64 of the raw 32-byte public key.")
    status: Literal["active", "retired"]


class SigningKeys(BaseModel):
    keys: list[SigningKey]


class YankPublic(VersionPublic):
    """The yanked version, and what the yank did to the ``latest`` alias (None: no object storage here)."""

    latest_alias: LatestAliasPublic | None = None


class DraftCreate(Strict):
    sha256: Sha256
    size: int = Field(ge=0, le=5 * 1_048_576)


class DraftPublic(BaseModel):
    id: UUID
    theme_id: UUID
    author_id: UUID
    revision: int
    object_key: str
    sha256: str
    size: int
    status: Literal["draft", "in_review", "approved", "changes_requested"]
    reviewer_id: UUID | None
    comment: str | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    reviewed_at: datetime | None


class Review(Strict):
    decision: Literal["approve", "request_changes"]
    comment: Annotated[str, StringConstraints(max_length=10_000)] = ""


# A media type with optional parameters (``text/css; charset=utf-8``); grants.normalized_content_type checks
# which parameters are allowed and writes them one way, the way the client must then send them.
ContentType = Annotated[
    str,
    StringConstraints(
        min_length=3, max_length=100, pattern=r"^[\w.+-]+/[\w.+-]+(\s*;\s*[\w.+-]+=\"?[\w.+-]+\"?)*\s*$"
    ),
]


class GrantFile(Strict):
    path: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    content_type: ContentType
    size: int = Field(ge=0)
    sha256: Sha256


class ReleaseGrantRequest(Strict):
    version: SemVer
    files: list[GrantFile] = Field(min_length=1, max_length=500)


class DraftGrantRequest(Strict):
    content_type: ContentType = "text/css"


class UploadGrantPublic(BaseModel):
    key: str
    method: Literal["PUT", "POST"]
    url: str
    headers: dict[str, str]
    fields: dict[str, str]
    max_bytes: int
    content_type: str
    expires_at: datetime


class GrantList(BaseModel):
    grants: list[UploadGrantPublic]


class DownloadGrant(BaseModel):
    key: str
    url: str
    expires_at: datetime


class Event(Strict):
    theme_id: UUID
    event_type: Literal["view", "download", "install"]
    client_info: dict[str, Any] = Field(default_factory=dict)


class EventBatch(Strict):
    events: list[Event] = Field(min_length=1)


class IngestResult(BaseModel):
    accepted: int = Field(description="Events stored now.")
    dropped: int = Field(description="Duplicates (same theme, event type, user and UTC day), not stored.")


class DailyCount(BaseModel):
    day: date
    views: int
    downloads: int
    installs: int


class PopularTheme(BaseModel):
    theme_id: UUID
    score: float
    name: str | None
    version: str | None


class PopularList(BaseModel):
    source: Literal["redis", "postgres"]
    items: list[PopularTheme]


class Relation(BaseModel):
    theme_id: UUID
    relation: str
    created_at: datetime
    name: str
    version: str | None


class Me(BaseModel):
    id: UUID
    email: str
    name: str
    role: str
