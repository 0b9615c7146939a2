"""The Flask secret key kept in the instance folder when ``SANDBOX_SECRET_KEY`` is unset."""
from __future__ import annotations

import os
import secrets

FILE_NAME = "secret_key"


def load_or_create(folder: str) -> str:
    """The key stored in ``folder``/secret_key, made (random, mode 0600) when absent.

    Workers starting at once agree: each writes a private temporary file and links it to the
    final name; a worker that loses the race reads the winner's key. Deleting the file is the
    only way to get a new key."""
    path = os.path.join(folder, FILE_NAME)
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    os.makedirs(folder, exist_ok=True)
    temporary = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)
    return _read(path)


def _read(path: str) -> str:
    with open(path, encoding="ascii") as stored:
        key = stored.read().strip()
    if not key:
        raise SystemExit(f"{path} is empty: delete it to make a new secret key")
    return key
