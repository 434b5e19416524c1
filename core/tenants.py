"""Tenants: who an API key belongs to, their drop folder, and who owns an object in the bucket. Pure."""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable, Mapping

DEFAULT = "default"
# A tenant's name is a folder name in the bucket and a label in records: kept plain.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def parse_api_keys(entries: Iterable[str]) -> dict[str, str]:
    """`API_KEYS` entries (`name:key`, or a bare `key` of the tenant `default`) as {key: tenant}."""
    keys: dict[str, str] = {}
    for entry in entries:
        name, sep, key = entry.partition(":")
        name, key = (name.strip(), key.strip()) if sep else (DEFAULT, name.strip())
        if not _NAME.fullmatch(name):
            raise ValueError(f"tenant name {name!r} must be 1-64 letters, digits, '-' or '_'")
        if not key:
            raise ValueError(f"tenant {name!r} has an empty key")
        if key in keys:
            raise ValueError("the same key is given twice")
        keys[key] = name
    return keys


def tenant_for(given: str, keys: Mapping[str, str]) -> str | None:
    """The tenant whose key is `given`, compared in constant time against every key, else None."""
    found = None
    for key, name in keys.items():
        if hmac.compare_digest(given.encode(), key.encode()):
            found = name
    return found


def drop_folder(drop_prefix: str, tenant: str) -> str:
    """Where a tenant drops files: `<DROP_PREFIX><tenant>/`."""
    return f"{drop_prefix}{tenant}/"


def owner_of_key(key: str, drop_prefix: str, tenants: Iterable[str]) -> str:
    """Who owns a dropped object: the tenant whose folder holds it, else `default`."""
    if key.startswith(drop_prefix):
        folder = key[len(drop_prefix) :].split("/", 1)
        if len(folder) == 2 and folder[0] in set(tenants):
            return folder[0]
    return DEFAULT


def batch_prefix(prefix: object, drop_prefix: str, tenant: str | None) -> str:
    """The prefix a batch may list: under DROP_PREFIX, and inside `tenant`'s folder when given.

    Raises ValueError (a 400) for anything else, however spelled (`uploads`, `u`, `/`, `""`, `..`).
    """
    allowed = drop_folder(drop_prefix, tenant) if tenant else drop_prefix
    if not isinstance(prefix, str) or len(prefix) > 1024:
        raise ValueError(f'Send {{"prefix": "{allowed}..."}} naming a folder under {allowed}.')
    if prefix + "/" == allowed:
        prefix = allowed
    if not prefix.startswith(allowed) or any(part in (".", "..") for part in prefix.split("/")):
        raise ValueError(f"A batch lists dropped files: its prefix must start with {allowed!r}.")
    return prefix
