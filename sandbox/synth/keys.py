"""Keys for deterministic generators and ids: short hashes of what they name."""
from __future__ import annotations

import hashlib
import random


def _digest(parts: tuple) -> bytes:
    text = "\x1f".join(str(part) for part in parts)
    return hashlib.blake2b(text.encode(), digest_size=8).digest()


def token(*parts: object) -> str:
    """16 hex digits naming ``parts``: the stable, opaque core of an id."""
    return _digest(parts).hex()


def key(*parts: object) -> int:
    """A 64-bit integer naming ``parts``, to seed a generator with."""
    return int.from_bytes(_digest(parts), "big")


def rng(*parts: object) -> random.Random:
    """A generator of its own, keyed by ``parts``."""
    return random.Random(key(*parts))
