"""One way to build a Publisher for a profile, shared by ``themestudio publish`` and the Publish dialog.

:func:`publisher_for` reads the profile's secrets and wires every optional step of a publish:

- **key mode** (``spaces-key``): the key pair comes from ``credentials`` when given (the running sandbox, or
  ``THEMESTUDIO_SPACES_KEY``/``THEMESTUDIO_SPACES_SECRET`` in CI through :func:`env_credentials`), else the
  profile's access key id with its secret from the keyring;
- **grant mode** (``backend-grants``): no bucket key on this machine; the backend issues presigned uploads;
- **register**: when the profile has a backend URL (token from ``THEMESTUDIO_BACKEND_TOKEN`` when the caller
  passes the environment, else the keyring), the version is registered with the backend;
- **purge_cdn**: when the profile has a CDN endpoint id and a DigitalOcean token is in the keyring, the
  ``latest`` alias paths are purged through the DigitalOcean API.

Anything missing is one :class:`PublishSetupError` whose text names the fix (``themestudio profiles add`` or
File → Publishing Profiles). The studio's ``local`` sandbox profile is not in ``profiles.toml``: the CLI finds
a running sandbox through :func:`local_sandbox_profile` (ports in ``user_data_dir()/"sandbox"/ports.json``).

Building a session reads the keyring and opens no connection; call it off the GUI thread (a locked keyring may
prompt).
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx

from studio.adapters.backend_client import BackendClient
from studio.adapters.do_api import purge_cdn
from studio.adapters.object_store import ObjectStore, S3Credentials, S3Location
from studio.adapters.publisher import Publisher, PurgeCdn, RenderPreview
from studio.adapters.sandbox import identities_file
from studio.adapters.secrets import KeyringUnavailable, SecretName, SecretStore
from studio.core.limits import read_json
from studio.core.paths import user_data_dir
from studio.core.profiles import DEFAULT_BUCKET, LOCAL_PROFILE, Profile
from studio.core.theme import Theme

KEY_ENV = "THEMESTUDIO_SPACES_KEY"
SECRET_ENV = "THEMESTUDIO_SPACES_SECRET"
BACKEND_TOKEN_ENV = "THEMESTUDIO_BACKEND_TOKEN"
SANDBOX_REGION = "us-east-1"  # what studio.adapters.sandbox signs with (not imported: it loads boto3)

PROFILES_HINT = "File → Publishing Profiles in the studio, or `themestudio profiles add`"


class PublishSetupError(Exception):
    """The profile cannot publish as configured; ``str()`` says what is missing and how to fix it."""


@dataclass
class PublishSession:
    """The object store, the optional backend client and the publisher of one profile; close them together.

    Attributes:
        profile: where the session publishes.
        store: the bucket (with a key in key mode, without one in grant mode).
        backend: the backend client when the profile has a backend URL, else None.
        publisher: wired with ``register``/``backend``/``purge_cdn`` as the profile allows.
        notes: what will not happen and why (e.g. no CDN purge without a DigitalOcean token), for the user.
    """

    profile: Profile
    store: ObjectStore
    backend: BackendClient | None
    publisher: Publisher
    notes: list[str] = field(default_factory=list)

    @property
    def grant_mode(self) -> bool:
        """True when uploads go through backend grants (no bucket key here)."""
        return self.publisher.grant_mode

    @property
    def mode_label(self) -> str:
        """How this session reaches the bucket, for the user."""
        return "through backend grants" if self.grant_mode else "with the Spaces key"

    @property
    def registers(self) -> bool:
        return self.publisher.register is not None

    @property
    def purges_cdn(self) -> bool:
        return self.publisher.purge_cdn is not None

    def ensure_theme(self, theme: Theme) -> None:
        """Create the theme on the backend (manifest id) when it is unknown: versions and grants need it.

        Raises:
            BackendError: the backend refused (auth, validation) or is unreachable.
        """
        if self.backend is not None:
            self.backend.ensure_theme(theme.manifest)

    def close(self) -> None:
        self.store.close()
        if self.backend is not None:
            self.backend.close()

    def __enter__(self) -> PublishSession:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def env_credentials(environ: Mapping[str, str]) -> S3Credentials | None:
    """The CI key pair from ``THEMESTUDIO_SPACES_KEY``/``THEMESTUDIO_SPACES_SECRET``, or None.

    Raises:
        PublishSetupError: only one of the two is set.
    """
    key, secret = environ.get(KEY_ENV, ""), environ.get(SECRET_ENV, "")
    if key and secret:
        return S3Credentials(key, secret)
    if key or secret:
        missing = SECRET_ENV if key else KEY_ENV
        raise PublishSetupError(f"{KEY_ENV} and {SECRET_ENV} go together: {missing} is not set.")
    return None


def backend_token(profile: Profile, secrets: SecretStore, environ: Mapping[str, str] | None = None) -> str:
    """The backend token: ``THEMESTUDIO_BACKEND_TOKEN`` in ``environ`` when set, else the keyring.

    Raises:
        PublishSetupError: none stored, or no keyring is usable (with how to get one).
    """
    token = (environ or {}).get(BACKEND_TOKEN_ENV, "")
    if not token:
        token = _secret(secrets, profile, SecretName.BACKEND_TOKEN) or ""
    if not token:
        raise PublishSetupError(
            f"No backend token for profile {profile.label}: the profile has a backend URL, so releases are "
            f"registered with it. Store the token with `themestudio profiles add {profile.name} "
            f"--with-backend-token …` (or in {PROFILES_HINT}); in CI set {BACKEND_TOKEN_ENV}."
        )
    return token


def key_credentials(
    profile: Profile, secrets: SecretStore, credentials: S3Credentials | None = None
) -> S3Credentials:
    """Key mode's pair: ``credentials`` when given, else the profile's key id with its keyring secret.

    Raises:
        PublishSetupError: no key id or no secret in the keyring (or no keyring), with the fix.
    """
    if credentials is not None:
        return credentials
    if not profile.access_key_id:
        raise PublishSetupError(
            f"Profile {profile.label} uses a Spaces key but has no access key id. Paste or create the key "
            f"with `themestudio profiles add {profile.name} --access-key-id … --with-spaces-secret` "
            f"(or in {PROFILES_HINT}), switch the profile to backend grants, or in CI set {KEY_ENV} and "
            f"{SECRET_ENV}."
        )
    secret = _secret(secrets, profile, SecretName.SPACES_SECRET)
    if not secret:
        raise PublishSetupError(
            f"No Spaces key secret for profile {profile.label} in the keyring. Store it with "
            f"`themestudio profiles add {profile.name} --access-key-id {profile.access_key_id} "
            f"--with-spaces-secret` (or in {PROFILES_HINT}); in CI set {KEY_ENV} and {SECRET_ENV}."
        )
    return S3Credentials(profile.access_key_id, secret)


def publisher_for(
    profile: Profile,
    secrets: SecretStore | None = None,
    *,
    credentials: S3Credentials | None = None,
    render_preview: RenderPreview | None = None,
    do_api_url: str | None = None,
    environ: Mapping[str, str] | None = None,
    workers: int | None = None,
    transport: httpx.BaseTransport | None = None,
) -> PublishSession:
    """Build the publish session of ``profile`` (see the module docstring for what is wired when).

    Args:
        profile: a validated profile.
        secrets: the keyring store (default: the system keyring).
        credentials: an explicit key pair for key mode (sandbox, CI environment); ignored in grant mode.
        render_preview: the preview PNG renderer (None: no preview).
        do_api_url: the DigitalOcean API root for the CDN purge (default ``THEMESTUDIO_DO_API_URL`` or DO's).
        environ: where to look for ``THEMESTUDIO_BACKEND_TOKEN`` (the CLI passes ``os.environ``; None: the
            keyring only).
        workers: upload threads (default: the object store's).
        transport: an httpx transport for the backend client (tests, proxies).

    Raises:
        PublishSetupError: a credential is missing or no keyring is usable; the text names the fix.
    """
    secrets = secrets or SecretStore()
    grants = profile.credential_mode == "backend-grants"
    creds = None if grants else key_credentials(profile, secrets, credentials)
    token = backend_token(profile, secrets, environ) if profile.backend_url else None
    notes: list[str] = []
    purge = _purger(profile, secrets, do_api_url, notes)
    location = S3Location(profile.endpoint, profile.region, profile.bucket, profile.public_base_url())
    store = ObjectStore(location, creds) if workers is None else ObjectStore(location, creds, workers=workers)
    backend = None
    if profile.backend_url and token:
        backend = BackendClient(profile.backend_url, token, transport=transport)
    publisher = Publisher(
        store,
        render_preview=render_preview,
        purge_cdn=purge,
        register=backend.register_release if backend is not None else None,
        backend=backend if grants else None,
    )
    if backend is None:
        notes.append(f"Profile {profile.label} has no backend URL: the version is not registered.")
    return PublishSession(profile, store, backend, publisher, notes)


def _purger(
    profile: Profile, secrets: SecretStore, do_api_url: str | None, notes: list[str]
) -> PurgeCdn | None:
    """``purge_cdn`` for the profile's CDN endpoint with the keyring's DO token, or None (with a note)."""
    endpoint_id = profile.cdn_endpoint_id
    if not endpoint_id:
        return None
    try:
        token = secrets.get(profile.name, SecretName.DO_TOKEN)
    except KeyringUnavailable as exc:
        raise PublishSetupError(str(exc)) from None
    if not token:
        notes.append(
            f"The CDN is not purged: no DigitalOcean token for profile {profile.label} in the keyring "
            f"(`themestudio profiles add {profile.name} --with-do-token …`). latest refreshes when its "
            "short cache expires."
        )
        return None
    do_token = token

    def purge(files: list[str]) -> None:
        purge_cdn(do_token, endpoint_id, files, base_url=do_api_url)

    return purge


def _secret(secrets: SecretStore, profile: Profile, name: SecretName) -> str | None:
    try:
        return secrets.get(profile.name, name)
    except KeyringUnavailable as exc:
        raise PublishSetupError(str(exc)) from None


# ---------------------------------------------------------------------- the local sandbox from the CLI
def sandbox_dir() -> Path:
    """Where the studio's sandbox keeps its ports, identities and data."""
    return user_data_dir() / "sandbox"


def local_sandbox_profile(
    secrets: SecretStore | None = None, data_dir: Path | None = None
) -> tuple[Profile, S3Credentials]:
    """The ``local`` profile of the sandbox the studio is running, and its key pair, for the CLI.

    The studio remembers the sandbox's ports in ``ports.json`` and its secret in the keyring (profile
    ``local``); the access key id is read from the identities file SeaweedFS itself needs.

    Raises:
        PublishSetupError: no sandbox was ever started here, it is not running, or its secret is not in the
            keyring (the text says what to do).
    """
    base = data_dir or sandbox_dir()
    try:
        ports = read_json(base / "ports.json", what="the sandbox's ports record")
        port = int(ports["s3"])
    except (OSError, ValueError, KeyError, TypeError):
        raise PublishSetupError(
            f"No local sandbox found under {base}: start the studio (`themestudio`), which starts it, "
            f"or use a saved profile ({PROFILES_HINT})."
        ) from None
    if not _listening(port):
        raise PublishSetupError(
            f"The local sandbox is not running (nothing answers on 127.0.0.1:{port}): start the studio "
            "(`themestudio`) and keep it open while publishing to the local profile."
        )
    try:
        identities = read_json(identities_file(base), what="the sandbox's identities file")
        pair = identities["identities"][0]["credentials"][0]
        access_key, file_secret = str(pair["accessKey"]), str(pair["secretKey"])
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        raise PublishSetupError(
            f"The local sandbox's identities file under {base} is missing or unreadable: restart the studio."
        ) from None
    secret = _secret(secrets or SecretStore(), _LOCAL_STUB, SecretName.SPACES_SECRET)
    if not secret or secret != file_secret:
        raise PublishSetupError(
            "The running sandbox's key is not in the keyring (the studio keeps it there only when a keyring "
            "was usable at its start), or the keyring holds an older sandbox's key: restart the studio with "
            "a keyring available, then publish again."
        )
    endpoint = f"http://127.0.0.1:{port}"
    profile = Profile(
        name=LOCAL_PROFILE,
        endpoint=endpoint,
        region=SANDBOX_REGION,
        bucket=DEFAULT_BUCKET,
        cdn_base_url=f"{endpoint}/{DEFAULT_BUCKET}",
        access_key_id=access_key,
        backend_url=_running_backend(base / "backend.json"),
    ).validated()
    return profile, S3Credentials(access_key, secret)


def _running_backend(record: Path) -> str | None:
    """The studio's bundled backend URL when it noted one and it answers; else None (no registration)."""
    try:
        url = str(read_json(record, what="the backend record")["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        return url if httpx.get(f"{url}/healthz", timeout=2.0).status_code == 200 else None
    except httpx.HTTPError:
        return None


_LOCAL_STUB = Profile(name=LOCAL_PROFILE, endpoint="http://127.0.0.1", region=SANDBOX_REGION)


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False
