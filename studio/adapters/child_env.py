"""The environment of child processes: an explicit allow-list, never the studio's whole environment.

The studio's own environment may hold ``THEMESTUDIO_SPACES_SECRET``, ``THEMESTUDIO_BACKEND_TOKEN``, cloud
credentials (``AWS_*``, ``DIGITALOCEAN_TOKEN``) or a ``DATABASE_URL`` meant for something else. SeaweedFS, the
bundled backend and its one-off commands (``migrate``, ``users``, ``tokens``) get only what lets a program run
on this machine (:data:`BASE_NAMES`, ``LC_*``) plus the values the caller passes explicitly, e.g. the
backend's ``DATABASE_URL``/``REDIS_URL``/``SPACES_*``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

#: Inherited when set: where programs and the user's files are, language and time zone, temporary files.
BASE_NAMES = frozenset({
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "LANGUAGE",
    "TZ",
    "TMPDIR",
    "PYTHONPATH",  # where Python finds the bundled backend when the studio runs from a checkout
    # Windows needs these to start any program at all.
    "SYSTEMROOT",
    "TEMP",
    "TMP",
})
BASE_PREFIXES = ("LC_",)


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a child process: the allowed base variables of ours, then ``extra``.

    Args:
        extra: the variables this child needs, set explicitly by the caller (they win over ours).
    """
    env = {
        name: value
        for name, value in os.environ.items()
        if name in BASE_NAMES or name.startswith(BASE_PREFIXES)
    }
    if extra:
        env.update(extra)
    return env
