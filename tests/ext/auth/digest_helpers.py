"""A Digest client computed by hand from RFC 7616, for the auth tests."""

from __future__ import annotations

import hashlib
import re

HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


def parse_challenge(header: str) -> dict[str, str]:
    """The parameters of the Digest challenge in a WWW-Authenticate value."""
    start = header.index("Digest ") + len("Digest ")
    fields = {}
    for match in re.finditer(r'(\w+)=(?:"([^"]*)"|([^\s,]+))', header[start:]):
        if match.group(1) in fields:  # the next challenge (MultiAuth) begins
            break
        fields[match.group(1)] = match.group(2) if match.group(2) is not None else match.group(3)
        if match.group(1) == "stale":
            break
    return fields


def digest_authorization(
    challenge: dict[str, str],
    *,
    username: str,
    password: str | None = None,
    ha1: str | None = None,
    method: str = "GET",
    uri: str = "/",
    nc: str = "00000001",
    cnonce: str = "0a4f113b",
    algorithm: str | None = None,
) -> str:
    """An ``Authorization: Digest`` value, computed as RFC 7616 §3.4.1 says."""
    algorithm = algorithm or challenge.get("algorithm", "MD5")

    def h(text: str) -> str:
        return HASHES[algorithm](text.encode()).hexdigest()

    if ha1 is None:
        ha1 = h(f"{username}:{challenge['realm']}:{password}")
    ha2 = h(f"{method}:{uri}")
    response = h(f"{ha1}:{challenge['nonce']}:{nc}:{cnonce}:auth:{ha2}")
    value = (
        f'Digest username="{username}", realm="{challenge["realm"]}", '
        f'nonce="{challenge["nonce"]}", uri="{uri}", algorithm={algorithm}, '
        f'response="{response}", qop=auth, nc={nc}, cnonce="{cnonce}"'
    )
    if "opaque" in challenge:
        value += f', opaque="{challenge["opaque"]}"'
    return value
