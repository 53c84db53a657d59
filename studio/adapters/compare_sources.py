"""Sides of a rendered comparison that live on the platform: a release (``ID@VERSION``) or a draft
(``draft:ID``), read through a profile's services with the same checks as the review and releases code
(a release must hash to its registered sha256, a draft to its submitted one)."""

from __future__ import annotations

from pathlib import Path

from studio.adapters.profile_services import ProfileServices
from studio.adapters.releases import list_releases, read_release
from studio.core.visual.sides import DRAFT_SPEC, RELEASE_SPEC, CompareSide, SideError, local_side


def resolve_side(spec: str, services: ProfileServices | None) -> CompareSide:
    """A local path, a release or a draft.

    Args:
        services: the profile's services; needed only for a release or a draft.

    Raises:
        SideError: not found, no profile for a remote side, or unreadable. Backend, storage and draft errors
            propagate as they are (the caller reports them).
    """
    path = Path(spec)
    if path.exists():
        return local_side(path)
    release = RELEASE_SPEC.match(spec)
    draft = DRAFT_SPEC.match(spec)
    if release is None and draft is None:
        return local_side(path)  # says "no such file or folder"
    if services is None:
        raise SideError(f"{spec}: a release or draft needs a profile (--profile P)")
    if draft is not None:
        fetched = services.review.fetch(draft["id"])
        css = fetched.css.decode("utf-8-sig", errors="replace")
        return CompareSide(f"draft {fetched.record.revision} of {fetched.record.theme_id}", css)
    assert release is not None
    theme_id, version = release["id"], release["version"]
    for record in list_releases(services.backend, theme_id):
        if record.version == version:
            return CompareSide(f"{theme_id}@{version}", read_release(services.store, theme_id, record))
    raise SideError(f"{spec}: the backend lists no release {version} of theme {theme_id}")


def last_release_side(services: ProfileServices, theme_id: str) -> CompareSide | None:
    """The newest non-yanked release of a theme, or ``None`` when it has none."""
    for record in list_releases(services.backend, theme_id):
        if not record.yanked:
            return CompareSide(f"{theme_id}@{record.version}", read_release(services.store, theme_id, record))
    return None


def draft_against_release(services: ProfileServices, theme_id: str, revision: int | str, draft_css: str,
                          base_dir: Path | None = None) -> tuple[CompareSide, CompareSide]:
    """Reviewer Mode's pair: the theme's last release (old) and the draft under review (new).

    Raises:
        SideError: the theme has no release yet, or its stylesheet could not be read.
    """
    version, release_css = services.review.last_release(theme_id)
    if version is None:
        raise SideError("No release yet: there is nothing to compare the draft with.")
    if release_css is None:
        raise SideError(f"The stylesheet of release {version} could not be read from its public URL.")
    return (CompareSide(f"release {version}", release_css, base_dir),
            CompareSide(f"draft r{revision}", draft_css, base_dir))
