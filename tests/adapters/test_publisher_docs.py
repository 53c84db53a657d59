"""A release's documentation (README.md, docs/) through the real stack: grants, upload, the backend's own
verification, the signed manifest, the version's ``readme_url``, ``themestudio verify``, and refusals."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from studio.adapters.backend_client import BackendClient, BackendError, GrantedFile, VerificationFailedError
from studio.adapters.object_store import ObjectStore
from studio.adapters.publisher import Publisher, PublishProgress
from studio.cli import main
from studio.core.publish_plan import IMMUTABLE_CACHE, PlanError, plan_release
from studio.core.release_docs import MARKDOWN_TYPE
from studio.core.starters import create_theme
from studio.core.theme import Theme
from tests.adapters.test_backend_client import LiveBackend, keyed_store, keyless_store, running_backend
from tests.backend.helpers import sha
from tests.backend.seaweed import SeaweedS3

README = "# Aurora\n\nTokens: `--brand`. Ünïcödé is fine.\n\n![shot](docs/shot.png)\n".encode()
GUIDE = b"## Guide\n\nUse `.btn`.\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(100))


def fake_render(css: str, out: Path, root: Path) -> None:
    out.write_bytes(b"\x89PNG\r\n\x1a\n" + css.encode()[-200:])


@pytest.fixture(scope="module")
def live(seaweed: SeaweedS3) -> Iterator[LiveBackend]:
    with running_backend(seaweed) as backend:
        yield backend


@pytest.fixture
def author(live: LiveBackend) -> Iterator[BackendClient]:
    with contextlib.closing(live.client(live.author)) as client:
        yield client


@pytest.fixture
def desktop(seaweed: SeaweedS3, live: LiveBackend) -> Iterator[ObjectStore]:
    with contextlib.closing(keyless_store(seaweed, live)) as store:
        yield store


@pytest.fixture
def admin(seaweed: SeaweedS3, live: LiveBackend) -> Iterator[ObjectStore]:
    with contextlib.closing(keyed_store(seaweed, live)) as store:
        yield store


@pytest.fixture
def theme(tmp_path: Path, author: BackendClient) -> Theme:
    made = create_theme(tmp_path / "t", "light", "Documented")
    (made.root / "README.md").write_bytes(README)
    (made.root / "docs" / "howto").mkdir(parents=True)
    (made.root / "docs" / "howto" / "guide.md").write_bytes(GUIDE)
    (made.root / "docs" / "shot.png").write_bytes(PNG)
    author.create_theme(made.manifest.id, made.manifest.name)
    return made


def _publisher(store: ObjectStore, author: BackendClient) -> Publisher:
    return Publisher(store, render_preview=fake_render, register=author.register_release, backend=author)


def test_docs_publish_with_the_release_and_verify(
    desktop: ObjectStore,
    admin: ObjectStore,
    author: BackendClient,
    live: LiveBackend,
    theme: Theme,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tid = theme.manifest.id
    plan = plan_release(theme, "1.0.0")
    docs = f"themes-documentation/{tid}/1.0.0/"
    assert [o.key for o in plan.objects if o.key.startswith(docs)] == [
        docs + "README.md",
        docs + "docs/howto/guide.md",
        docs + "docs/shot.png",
    ]
    assert plan.objects[-1].key.endswith("/theme.css")  # theme.css is still uploaded last
    result = _publisher(desktop, author).publish(plan, theme_root=theme.root)
    assert result.registered
    assert result.latest_moved
    readme = admin.head(docs + "README.md")
    assert readme is not None
    assert readme.content_type == MARKDOWN_TYPE
    assert readme.cache_control == IMMUTABLE_CACHE  # versioned documentation is as immutable as its release
    shot = admin.head(docs + "docs/shot.png")
    assert shot is not None
    assert shot.content_type == "image/png"

    (version,) = author.list_versions(tid)
    with httpx.Client() as http:
        listed = http.get(f"{live.url}/v1/themes/{tid}/versions").json()[0]
        assert listed["readme_url"] == f"{live.public_base_url}/{docs}README.md"
        assert http.get(listed["readme_url"]).content == README  # anonymous, as Browse reads it
        assert [d["path"] for d in listed["documentation"]] == [
            "README.md",
            "docs/howto/guide.md",
            "docs/shot.png",
        ]
        assert {d["content_type"] for d in listed["documentation"]} == {MARKDOWN_TYPE, "image/png"}
    assert version["version"] == "1.0.0"

    argv = ["verify", f"{tid}@1.0.0", "--cdn", live.public_base_url, "--backend", live.url]
    assert main(argv) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert f"{len(plan.objects) + 1} object(s)" in out  # the plan's (documentation included) + the preview

    # The signed manifest covers the documentation: a changed README fails `themestudio verify`.
    changed = README + b"more"
    admin.put(docs + "README.md", changed, {"Content-Type": MARKDOWN_TYPE}, sha256=sha(changed))
    assert main(argv) == 1
    assert "README.md" in capsys.readouterr().out


def test_a_theme_without_docs_has_no_readme_url(
    desktop: ObjectStore, author: BackendClient, live: LiveBackend, tmp_path: Path
) -> None:
    plain = create_theme(tmp_path / "plain", "light", "Plain")
    author.create_theme(plain.manifest.id, plain.manifest.name)
    _publisher(desktop, author).publish(plan_release(plain, "1.0.0"), theme_root=plain.root)
    with httpx.Client() as http:
        listed = http.get(f"{live.url}/v1/themes/{plain.manifest.id}/versions").json()[0]
    assert listed["readme_url"] is None
    assert listed["documentation"] == []


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        ("docs/page.html", b"<script>alert(1)</script>", "HTML file"),
        ("docs/notes.txt", b"plain", "docs/ holds Markdown"),
        ("docs/fake.png", b"<html>not a png</html>", "does not hold image/png"),
        ("docs/latin1.md", "caf\xe9".encode("latin-1"), "not UTF-8"),
    ],
)
def test_the_studio_plans_only_what_the_service_accepts(
    theme: Theme, name: str, body: bytes, expected: str
) -> None:
    (theme.root / name).write_bytes(body)
    with pytest.raises(PlanError, match=expected):
        plan_release(theme, "1.0.0")


def test_grants_refuse_html_and_mislabelled_docs(author: BackendClient, theme: Theme) -> None:
    tid = theme.manifest.id
    page = b"<h1>hi</h1>"
    for wanted, code in (
        (GrantedFile("docs/index.html", "text/html", len(page), sha(page)), "doc_type_not_allowed"),
        (GrantedFile("README.md", "text/plain", len(README), sha(README)), "bad_content_type"),
        (GrantedFile("docs/../x.md", MARKDOWN_TYPE, len(GUIDE), sha(GUIDE)), "doc_type_not_allowed"),
        (GrantedFile("README.md", MARKDOWN_TYPE, 600_000, sha(README)), "file_too_large"),
    ):
        with pytest.raises(BackendError) as refused:
            author.release_grants(tid, "1.0.0", [wanted])
        assert refused.value.code == code, wanted


@pytest.mark.parametrize("tamper", ["other-bytes", "not-utf8", "deleted"])
def test_the_backend_refuses_docs_changed_after_upload(
    desktop: ObjectStore,
    admin: ObjectStore,
    author: BackendClient,
    seaweed: SeaweedS3,
    theme: Theme,
    tamper: str,
) -> None:
    """Someone with the bucket key changes a doc between upload and registration: nothing registers."""
    tid = theme.manifest.id
    plan = plan_release(theme, "1.0.0")
    key = f"themes-documentation/{tid}/1.0.0/docs/howto/guide.md"
    victim = next(o for o in plan.objects if o.key == key)
    done: list[bool] = []

    def tamper_once(progress: PublishProgress) -> None:
        if progress.step != "register" or done:
            return
        done.append(True)
        if tamper == "deleted":
            seaweed.client().delete_object(Bucket=seaweed.bucket, Key=key)
            return
        body = b"\xff\xfe not utf-8" if tamper == "not-utf8" else GUIDE.replace(b"Guide", b"Gxide")
        seaweed.client().put_object(
            Bucket=seaweed.bucket,
            Key=key,
            Body=body,
            ContentType=MARKDOWN_TYPE,
            CacheControl=IMMUTABLE_CACHE,
            Metadata={"theme-id": tid, "version": "1.0.0", "sha256": victim.sha256},
        )

    if tamper == "deleted":
        # A granted file missing from what the backend verified holds the registration back.
        with pytest.raises(BackendError, match=r"grants_outstanding|not uploaded"):
            _publisher(desktop, author).publish(plan, theme_root=theme.root, progress=tamper_once)
    else:
        with pytest.raises(VerificationFailedError) as refused:
            _publisher(desktop, author).publish(plan, theme_root=theme.root, progress=tamper_once)
        rules = {f.rule for f in refused.value.findings}
        assert rules & {"release/metadata", "release/doc-content"}, rules
        assert admin.head(key) is None  # the refused file was removed, so the version can be uploaded again
    assert author.list_versions(tid) == []
    assert admin.head(f"themes-published/{tid}/latest/theme.css") is None
