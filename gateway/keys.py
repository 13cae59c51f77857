"""The gateway's signing keys and its JWKS.

Embedded default: RSA keys generated on first start under `key_dir` and rotated by an admin;
a retired key stays in the JWKS until every access token it signed has expired.
Production: the active key comes from settings (`signing_key`), earlier public keys from
`previous_public_keys`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwt

from shared.auth import ALGORITHM


def _b64(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(public_key: rsa.RSAPublicKey) -> dict[str, str]:
    numbers = public_key.public_numbers()
    jwk = {"kty": "RSA", "n": _b64(numbers.n), "e": _b64(numbers.e)}
    # RFC 7638 thumbprint as the key id: stable for the same key everywhere.
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"))
    kid = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()[:22]
    return {**jwk, "kid": kid, "use": "sig", "alg": ALGORITHM}


def _private_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@dataclass
class _Retired:
    jwk: dict[str, str]
    retired_at: datetime | None  # None: published until removed from settings


class KeyRing:
    def __init__(
        self,
        private_key: rsa.RSAPrivateKey,
        retired: list[_Retired],
        keep_retired: timedelta,
        key_dir: Path | None = None,
    ) -> None:
        self._private = private_key
        self._private_pem = _private_pem(private_key)
        self.active_jwk = public_jwk(private_key.public_key())
        self._retired = retired
        self.keep_retired = keep_retired
        self.key_dir = key_dir

    @property
    def kid(self) -> str:
        return self.active_jwk["kid"]

    def sign(self, claims: dict[str, Any]) -> str:
        token: str = jwt.encode(claims, self._private_pem, algorithm=ALGORITHM, headers={"kid": self.kid})
        return token

    def jwks(self, now: datetime | None = None) -> dict[str, list[dict[str, str]]]:
        now = now or datetime.now(UTC)
        keys = [self.active_jwk]
        keys += [
            r.jwk for r in self._retired if r.retired_at is None or now - r.retired_at < self.keep_retired
        ]
        return {"keys": keys}

    def rotate(self) -> str:
        """New active key; the old one is published until its tokens expire. Embedded only."""
        if self.key_dir is None:
            raise RuntimeError("keys come from settings; rotate them there")
        now = datetime.now(UTC)
        self._retired.append(_Retired(self.active_jwk, now))
        self._private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._private_pem = _private_pem(self._private)
        self.active_jwk = public_jwk(self._private.public_key())
        _save(self.key_dir, self._private_pem, self._retired)
        return self.kid

    @classmethod
    def from_settings(
        cls, *, signing_key: str, previous_public_keys: list[str], key_dir: Path, keep_retired: timedelta
    ) -> KeyRing:
        if signing_key:
            private = serialization.load_pem_private_key(signing_key.encode(), password=None)
            if not isinstance(private, rsa.RSAPrivateKey):
                raise ValueError("signing_key must be an RSA private key")
            retired = [_Retired(public_jwk(_load_public(pem)), None) for pem in previous_public_keys]
            return cls(private, retired, keep_retired)
        return cls._from_dir(key_dir, keep_retired)

    @classmethod
    def _from_dir(cls, key_dir: Path, keep_retired: timedelta) -> KeyRing:
        active = key_dir / "active.pem"
        if not active.exists():
            key_dir.mkdir(parents=True, exist_ok=True)
            _save(key_dir, _private_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)), [])
        private = serialization.load_pem_private_key(active.read_bytes(), password=None)
        assert isinstance(private, rsa.RSAPrivateKey)
        retired: list[_Retired] = []
        meta = key_dir / "retired.json"
        if meta.exists():
            for item in json.loads(meta.read_text()):
                retired.append(_Retired(item["jwk"], datetime.fromisoformat(item["retired_at"])))
        return cls(private, retired, keep_retired, key_dir)


def _load_public(pem: str) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("previous_public_keys must be RSA public keys")
    return key


def _save(key_dir: Path, private_pem: bytes, retired: list[_Retired]) -> None:
    tmp = key_dir / "active.pem.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(private_pem)
    (key_dir / "retired.json").write_text(
        json.dumps([{"jwk": r.jwk, "retired_at": r.retired_at.isoformat()} for r in retired if r.retired_at])
    )
    os.replace(tmp, key_dir / "active.pem")
