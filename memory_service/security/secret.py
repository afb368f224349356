"""The server secret that keys are hashed under: ``MEMORY_KEY_SECRET``, or one kept in the data dir.

Without the setting, the first start writes 32 random bytes (URL-safe base64) to
``<data_dir>/key_secret`` with mode 0600 and every later start reads them back, so stored keys
keep working across restarts. Created by a hard link from a private temporary file, so two
processes starting at once agree on one secret and neither ever reads a half-written file.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

from memory_service.errors import UnavailableError
from memory_service.settings import Settings

log = logging.getLogger(__name__)

SECRET_FILE = "key_secret"


def server_secret(settings: Settings) -> bytes:
    """The configured secret, else the data dir's (made on first use)."""
    if settings.key_secret is not None:
        return settings.key_secret.get_secret_value().encode()
    return load_or_create(settings.data_dir / SECRET_FILE)


def load_or_create(path: Path) -> bytes:
    """The secret in ``path``; a new one written there (0600) when the file does not exist."""
    if not path.exists():
        _create(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("%s is readable by other users (mode %o): chmod 600 it", path, mode)
    secret = path.read_bytes().strip()
    if len(secret) < 32:
        raise UnavailableError(
            f"the key secret in {path} is too short ({len(secret)} bytes); "
            "restore it, or set MEMORY_KEY_SECRET (stored keys stop working with a new secret)"
        )
    return secret


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_urlsafe(32).encode() + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(staging, path)  # fails when another process made the file first: keep theirs
        except FileExistsError:
            pass
        else:
            log.info("generated a key secret in %s (keep it with the data; set MEMORY_KEY_SECRET to share it)", path)
    finally:
        staging.unlink(missing_ok=True)
