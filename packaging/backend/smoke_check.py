"""The backend image, built and run here as App Platform runs it (driven by ``packaging/backend/smoke``).

Steps: a Debian base image from Debian packages (mmdebstrap, once); the API image built from
``packaging/backend/Dockerfile`` with the host's CA and pip configuration mounted for the build only; the
migrate job; then two API containers behind HAProxy, against the machine's PostgreSQL/Redis (or throwaway
ones) and a throwaway SeaweedFS.

Checks: the image runs as non-root and its HEALTHCHECK passes; ``/readyz`` through the proxy; a release
registered through one instance is served by the other (the Redis cache is invalidated across instances);
racing one version through both instances gives exactly one 201; stopping one container loses no request
once the proxy has noticed. The last line is the verdict.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg

from studio.adapters.sandbox import free_ports
from tests.backend.seaweed import SeaweedS3, run_seaweed
from tests.local_servers import LocalServers

REPO = Path(__file__).resolve().parents[2]
IMAGE = "localhost/themesystem-api:smoke"
BASE_IMAGE = "localhost/debian-python:3.11"
BASE_PACKAGES = "python3,python3-venv,python-is-python3,ca-certificates,passwd"
PODMAN = ["podman", "--runtime", "runc", "--cgroup-manager=cgroupfs"]
CSS = b":root { --color-bg: #ffffff; --color-text: #172033; }\nbody { color: var(--color-text); }\n"


class SmokeError(Exception):
    """One check failed; the message says which and what was seen."""


def log(message: str) -> None:
    print(f"smoke: {message}", flush=True)


def podman(*args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*PODMAN, *args], capture_output=True, text=True, timeout=timeout, check=False)
    if check and result.returncode != 0:
        raise SmokeError(f"podman {args[0]} failed ({result.returncode}): {result.stderr.strip()[-800:]}")
    return result


# ---------------------------------------------------------------------------------------------- the image
def ensure_base_image(work: Path) -> None:
    if podman("image", "exists", BASE_IMAGE, check=False).returncode == 0:
        return
    log("making the Debian base image with mmdebstrap (once; about a minute)")
    tar = work / "base.tar"
    subprocess.run(
        ["mmdebstrap", "--variant=minbase", f"--include={BASE_PACKAGES}", "bookworm", str(tar)],
        check=True,
        capture_output=True,
        timeout=900,
    )
    podman("import", str(tar), BASE_IMAGE)
    tar.unlink()


def build_mounts() -> list[str]:
    """The host's CA directory and global pip configuration, read-only, for the build only (never copied)."""
    mounts = ["-v", "/etc/ssl/certs:/etc/ssl/certs:ro"]
    for path in ("/etc/pip.conf", "/etc/xdg/pip"):
        if Path(path).exists():
            mounts += ["-v", f"{path}:{path}:ro"]
    return mounts


def build_image() -> tuple[float, int]:
    started = time.monotonic()
    podman(
        "build",
        "--format",
        "docker",  # OCI images drop HEALTHCHECK
        "--network",
        "host",
        *build_mounts(),
        "--build-arg",
        f"PYTHON_IMAGE={BASE_IMAGE}",
        "-f",
        "packaging/backend/Dockerfile",
        "-t",
        IMAGE,
        str(REPO),
        timeout=1200,
    )
    size = int(podman("image", "inspect", IMAGE, "--format", "{{.Size}}").stdout.strip())
    return time.monotonic() - started, size


def check_image_user() -> str:
    user = podman("image", "inspect", IMAGE, "--format", "{{.Config.User}}").stdout.strip()
    if not user or user.split(":")[0] in ("0", "root"):
        raise SmokeError(f"the image runs as {user or 'root'}; it must run as a non-root user")
    uid = podman("run", "--rm", "--ulimit", "host", IMAGE, "id", "-u").stdout.strip()
    if uid == "0":
        raise SmokeError("a container of the image runs as uid 0")
    return uid


# ------------------------------------------------------------------------------------------ the servers
@contextlib.contextmanager
def database(admin_dsn: str) -> Iterator[str]:
    name = f"smoke_{secrets.token_hex(5)}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_dsn.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def api_env(database_url: str, redis_url: str, s3: SeaweedS3) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": f"smoke-{secrets.token_hex(3)}:",
        "SPACES_ENDPOINT": s3.endpoint,
        "SPACES_REGION": s3.region,
        "SPACES_BUCKET": s3.bucket,
        "SPACES_KEY": s3.access_key,
        "SPACES_SECRET": s3.secret_key,
        "CDN_BASE_URL": f"{s3.endpoint}/{s3.bucket}",
        # Both instances sign releases with the same key, as the app spec's secret gives them.
        "SIGNING_KEY": os.environ.get("SMOKE_SIGNING_KEY") or _ed25519_seed(),
    }


def _ed25519_seed() -> str:
    import base64

    return base64.b64encode(secrets.token_bytes(32)).decode()


def env_args(env: dict[str, str]) -> list[str]:
    # Values go through podman's environment (`-e NAME` with no value), never its command line.
    return [arg for name in env for arg in ("-e", name)]


def run_job(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [*PODMAN, "run", "--rm", "--network", "host", "--ulimit", "host", *env_args(env), IMAGE, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **env},
    )
    if result.returncode != 0:
        raise SmokeError(f"`themesystem-api {' '.join(args[1:])}` failed: {result.stderr.strip()[-600:]}")
    return result.stdout


class Instance:
    """One API container on the host network, serving on its own port."""

    def __init__(self, name: str, port: int, env: dict[str, str]) -> None:
        self.name, self.port, self.env = name, port, env
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        subprocess.run(
            [*PODMAN, "run", "-d", "--name", self.name, "--network", "host", "--ulimit", "host",
             *env_args(self.env), "-e", f"PORT={self.port}", IMAGE,
             "themesystem-api", "serve", "--host", "127.0.0.1", "--workers", "1"],
            capture_output=True, text=True, timeout=120, check=True, env={**os.environ, **self.env},
        )  # fmt: skip

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        logs = podman("logs", self.name, check=False).stderr[-800:]
        raise SmokeError(f"{self.name} never answered /readyz: {logs}")

    def healthcheck(self) -> None:
        result = podman("healthcheck", "run", self.name, check=False)
        if result.returncode != 0:
            raise SmokeError(f"HEALTHCHECK of {self.name} failed: {result.stdout}{result.stderr}")

    def stop(self) -> None:
        podman("stop", "-t", "10", self.name, check=False)

    def remove(self) -> None:
        podman("rm", "-f", self.name, check=False)


class Proxy:
    """HAProxy before the instances: health checks on /readyz, retries and redispatch off a dead server."""

    def __init__(self, work: Path, instances: list[Instance]) -> None:
        self.port = free_ports(1)[0]
        self.url = f"http://127.0.0.1:{self.port}"
        self.stats = work / "haproxy.sock"
        servers = "\n".join(
            f"    server {i.name} 127.0.0.1:{i.port} check inter 250ms fall 2 rise 2" for i in instances
        )
        self.config = work / "haproxy.cfg"
        self.config.write_text(
            f"""global
    stats socket {self.stats} mode 600 level admin
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout 503
frontend api
    bind 127.0.0.1:{self.port}
    default_backend instances
backend instances
    balance roundrobin
    option httpchk GET /readyz
{servers}
""",
            encoding="utf-8",
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        self.proc = subprocess.Popen(
            [haproxy, "-db", "-f", str(self.config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def server_up(self, name: str) -> bool:
        """What HAProxy's health checks think of one server (its runtime API over the stats socket)."""
        import socket

        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.stats))
            sock.sendall(b"show servers state instances\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        for line in data.decode().splitlines():
            fields = line.split()
            if len(fields) > 5 and fields[3] == name:
                return fields[5] == "2"  # srv_op_state 2 = running
        raise SmokeError(f"HAProxy does not know server {name}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()


# ---------------------------------------------------------------------------------------------- checks
def wait_until(what: str, condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if condition():
                return
        time.sleep(0.1)
    raise SmokeError(f"timed out waiting until {what}")


def upload_release(api: httpx.Client, theme_id: str, version: str, css: bytes) -> None:
    """Ask the instance for a release grant and upload theme.css with it, as a keyless studio does."""
    digest = hashlib.sha256(css).hexdigest()
    files = [
        {"path": "theme.css", "content_type": "text/css; charset=utf-8", "size": len(css), "sha256": digest}
    ]
    reply = api.post(f"/v1/themes/{theme_id}/grants/release", json={"version": version, "files": files})
    expect(reply, 200, "release grant")
    for grant in reply.json()["grants"]:
        put = httpx.put(grant["url"], headers=grant["headers"], content=css, timeout=30)
        if put.status_code != 200:
            raise SmokeError(f"upload with the grant answered {put.status_code}: {put.text[:300]}")


def registration(version: str, css: bytes) -> dict[str, Any]:
    return {
        "version": version,
        "changes": f"smoke {version}",
        "sha256": hashlib.sha256(css).hexdigest(),
        "size": len(css),
    }


def expect(reply: httpx.Response, status: int, what: str) -> None:
    if reply.status_code != status:
        raise SmokeError(f"{what}: expected {status}, got {reply.status_code}: {reply.text[:400]}")


def check_cache_crosses_instances(a: httpx.Client, b: httpx.Client, theme_id: str) -> None:
    expect(b.get(f"/v1/themes/{theme_id}"), 200, "theme through instance B")  # now cached in Redis
    css = CSS + b"/* 1.0.0 */\n"
    upload_release(a, theme_id, "1.0.0", css)
    expect(a.post(f"/v1/themes/{theme_id}/versions", json=registration("1.0.0", css)), 201, "register on A")
    seen = b.get(f"/v1/themes/{theme_id}").json()
    if seen.get("version") != "1.0.0" or "1.0.0" not in seen.get("available_versions", []):
        raise SmokeError(
            f"instance B serves a stale theme after A registered 1.0.0: {json.dumps(seen)[:200]}"
        )


def check_race(a: httpx.Client, b: httpx.Client, theme_id: str) -> list[int]:
    css = CSS + b"/* 1.1.0 */\n"
    upload_release(a, theme_id, "1.1.0", css)
    body = registration("1.1.0", css)
    barrier = threading.Barrier(2)

    def register(api: httpx.Client) -> int:
        barrier.wait()
        return api.post(f"/v1/themes/{theme_id}/versions", json=body).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(register, (a, b)))
    if statuses != [200, 201]:
        raise SmokeError(f"racing 1.1.0 through both instances gave {statuses}, not one 201 and one 200")
    return statuses


def check_failover(proxy: Proxy, stopping: Instance, theme_id: str) -> tuple[int, int]:
    """Requests through the proxy while one instance stops; none may fail once the proxy has noticed."""
    failures_before, failures_after, sent_after = 0, 0, 0
    noticed = threading.Event()
    done = threading.Event()

    def load() -> None:
        nonlocal failures_before, failures_after, sent_after
        with httpx.Client(base_url=proxy.url, timeout=10) as client:
            while not done.is_set():
                after = noticed.is_set()
                try:
                    ok = client.get(f"/v1/themes/{theme_id}").status_code == 200
                except httpx.HTTPError:
                    ok = False
                if after:
                    sent_after += 1
                    failures_after += not ok
                else:
                    failures_before += not ok

    workers = [threading.Thread(target=load) for _ in range(4)]
    for worker in workers:
        worker.start()
    time.sleep(1.0)
    stopping.stop()
    wait_until("HAProxy marks the stopped instance down", lambda: not proxy.server_up(stopping.name))
    noticed.set()
    deadline = time.monotonic() + 20
    while sent_after < 300 and time.monotonic() < deadline:
        time.sleep(0.1)
    done.set()
    for worker in workers:
        worker.join()
    if sent_after < 300:
        raise SmokeError(f"only {sent_after} requests went through the proxy after the failover")
    if failures_after:
        raise SmokeError(f"{failures_after} of {sent_after} requests failed after the proxy noticed")
    return failures_before, sent_after


def run(skip_build: bool) -> str:
    work = Path(tempfile.mkdtemp(prefix="themesystem-smoke-"))
    conf = work / "containers.conf"
    conf.write_text("[containers]\ndefault_ulimits = []\n", encoding="utf-8")
    os.environ["CONTAINERS_CONF"] = str(conf)
    figures: dict[str, Any] = {}
    servers = LocalServers()
    instances: list[Instance] = []
    proxy: Proxy | None = None
    try:
        ensure_base_image(work)
        if not skip_build or podman("image", "exists", IMAGE, check=False).returncode != 0:
            log("building the image")
            seconds, size = build_image()
            figures["build_s"] = round(seconds, 1)
        else:
            size = int(podman("image", "inspect", IMAGE, "--format", "{{.Size}}").stdout.strip())
        figures["image_mb"] = round(size / 1e6)
        log(f"image {IMAGE}: {size / 1e6:.0f} MB")
        figures["uid"] = check_image_user()
        servers.ensure()
        with database(os.environ["DATABASE_URL"]) as database_url, run_seaweed() as s3:
            env = api_env(database_url, os.environ["REDIS_URL"], s3)
            log("migrate job")
            run_job(env, "themesystem-api", "migrate")
            email = f"smoke-{secrets.token_hex(4)}@example.test"
            run_job(
                env,
                "themesystem-api",
                "users",
                "create",
                "--email",
                email,
                "--name",
                "Smoke",
                "--role",
                "author",
            )
            token = run_job(
                env, "themesystem-api", "tokens", "create", "--email", email, "--expires-days", "1"
            )
            token = token.strip().splitlines()[-1]
            ports = free_ports(2)
            instances = [
                Instance(f"ts-smoke-{n}-{secrets.token_hex(3)}", p, env)
                for n, p in zip("ab", ports, strict=True)
            ]
            for instance in instances:
                instance.start()
            for instance in instances:
                instance.wait_ready()
                instance.healthcheck()
            proxy = Proxy(work, instances)
            proxy.start()
            wait_until(
                "HAProxy sees both instances up", lambda: all(proxy.server_up(i.name) for i in instances)
            )
            expect(httpx.get(f"{proxy.url}/readyz", timeout=5), 200, "/readyz through the proxy")
            auth = {"Authorization": f"Bearer {token}"}
            with (
                httpx.Client(base_url=instances[0].url, headers=auth, timeout=30) as a,
                httpx.Client(base_url=instances[1].url, headers=auth, timeout=30) as b,
            ):
                theme = a.post("/v1/themes", json={"name": "Smoke", "tags": ["smoke"]})
                expect(theme, 201, "create theme on A")
                theme_id = theme.json()["id"]
                check_cache_crosses_instances(a, b, theme_id)
                figures["race"] = check_race(a, b, theme_id)
            failed_before, sent_after = check_failover(proxy, instances[1], theme_id)
            figures["failover_failed_before_notice"] = failed_before
            figures["failover_requests_after_notice"] = sent_after
    finally:
        if proxy is not None:
            proxy.stop()
        for instance in instances:
            instance.remove()
        servers.stop()
        shutil.rmtree(work, ignore_errors=True)
    return json.dumps(figures)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-build", action="store_true", help="reuse the image when it exists")
    args = parser.parse_args()
    try:
        figures = run(args.skip_build)
    except (SmokeError, subprocess.SubprocessError, OSError, httpx.HTTPError) as exc:
        print(f"SMOKE FAIL: {exc}", flush=True)
        return 1
    print(f"SMOKE PASS: image built, migrated, two instances behind HAProxy agree; {figures}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
