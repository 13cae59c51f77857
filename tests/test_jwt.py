"""A service refuses every kind of bad token with 401 problem+json."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.conftest import Tokens

PROTECTED = ("POST", "/api/v1/catalog/agencies")
VALID_BODY = {"code": "110000", "name": "测试省", "level": "province"}


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _int(b64: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4)), "big")


def _bad_tokens(tokens: Tokens) -> dict[str, str]:
    now = int(time.time())
    good = tokens.make("admin")
    header, payload, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    tampered = _b64({**claims, "role": "admin", "sub": "9999"})
    # The algorithm-confusion attack: HMAC "signed" with the public key anyone can read.
    published = next(k for k in tokens.keyring.jwks()["keys"] if k["kid"] == tokens.keyring.kid)
    numbers = RSAPublicNumbers(_int(published["e"]), _int(published["n"]))
    public_pem = numbers.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    hs_head = _b64({"alg": "HS256", "typ": "JWT", "kid": tokens.keyring.kid})
    hs_mac = hmac.new(public_pem, f"{hs_head}.{payload}".encode(), hashlib.sha256).digest()
    hs256 = f"{hs_head}.{payload}.{base64.urlsafe_b64encode(hs_mac).rstrip(b'=').decode()}"
    return {
        "expired": tokens.make("admin", iat=now - 3600, nbf=now - 3600, exp=now - 600),
        "not_yet_valid": tokens.make("admin", nbf=now + 600),
        "wrong_issuer": tokens.make("admin", iss="someone-else"),
        "wrong_audience": tokens.make("admin", aud="another-system"),
        "tampered_payload": f"{header}.{tampered}.{signature}",
        "alg_none": f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': tokens.keyring.kid})}.{payload}.",
        "hs256_with_public_key": hs256,
        "unknown_kid": f"{_b64({'alg': 'RS256', 'typ': 'JWT', 'kid': 'no-such-key'})}.{payload}.{signature}",
        "refresh_type": tokens.make("admin", typ="refresh"),
        "garbage": "not-a-jwt",
        "service_role_claim": tokens.make("service"),
    }


CASES = [
    "expired",
    "not_yet_valid",
    "wrong_issuer",
    "wrong_audience",
    "tampered_payload",
    "alg_none",
    "hs256_with_public_key",
    "unknown_kid",
    "refresh_type",
    "garbage",
    "service_role_claim",
]


@pytest.mark.parametrize("case", CASES)
async def test_a_bad_token_is_refused_with_401_problem(catalog, tokens: Tokens, case: str) -> None:
    token = _bad_tokens(tokens)[case]
    response = await catalog.request(
        *PROTECTED, json=VALID_BODY, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["status"] == 401 and body["code"] and body["title"]


async def test_the_same_request_with_a_good_token_succeeds(catalog, tokens: Tokens) -> None:
    response = await catalog.request(*PROTECTED, json=VALID_BODY, headers=tokens.header("admin"))
    assert response.status_code == 201, response.text


async def test_a_valid_token_without_the_role_is_403_not_401(catalog, tokens: Tokens) -> None:
    response = await catalog.request(*PROTECTED, json=VALID_BODY, headers=tokens.header("clerk", agency_id=3))
    assert response.status_code == 403
    assert response.json()["code"] == "role_forbidden"


async def test_a_missing_token_is_401(catalog) -> None:
    response = await catalog.request(*PROTECTED, json=VALID_BODY)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_required"


async def test_a_wrong_service_token_is_401(catalog) -> None:
    response = await catalog.request(*PROTECTED, json=VALID_BODY, headers={"X-Service-Token": "guess"})
    assert response.status_code == 401


async def test_a_key_unknown_at_first_is_fetched_again_and_accepted(catalog, tokens: Tokens) -> None:
    """A rotated gateway key is picked up by fetching the JWKS again on an unknown kid, once."""
    from shared.auth import TokenVerifier
    from tests.conftest import AUDIENCE, ISSUER

    fetches = []

    async def keys() -> dict:
        fetches.append(1)
        return tokens.keyring.jwks()

    catalog.app.state.verifier = TokenVerifier(
        keys, issuer=ISSUER, audience=AUDIENCE, min_refresh_seconds=0.0
    )
    before = tokens.header("admin")  # signed with the key about to be retired
    assert (await catalog.request(*PROTECTED, json=VALID_BODY, headers=before)).status_code == 201
    assert len(fetches) == 1
    new_kid = tokens.keyring.rotate()
    try:
        response = await catalog.request(
            *PROTECTED, json={**VALID_BODY, "code": "120000"}, headers=tokens.header("admin")
        )
        assert response.status_code == 201, response.text
        assert len(fetches) == 2, "the unknown kid should have made the service fetch the JWKS again"
        old = await catalog.request(*PROTECTED, json={**VALID_BODY, "code": "130000"}, headers=before)
        assert old.status_code == 201, "a token signed before the rotation stays valid until it expires"
        response = await catalog.request(
            *PROTECTED, json={**VALID_BODY, "code": "140000"}, headers=tokens.header("admin")
        )
        assert response.status_code == 201 and len(fetches) == 2, "both keys known: no further fetch"
    finally:
        assert tokens.keyring.jwks()["keys"][0]["kid"] == new_kid


async def test_a_remembered_token_is_refused_once_its_key_leaves_the_jwks_or_it_expires(
    tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tokens are remembered after one signature check, but never past their expiry or their key."""
    from shared.auth import TokenVerifier
    from shared.errors import Unauthorized
    from tests.conftest import AUDIENCE, ISSUER

    published = dict(tokens.keyring.jwks())
    calls = []

    async def keys() -> dict:
        calls.append(1)
        return published

    verifier = TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE, min_refresh_seconds=0.0)
    token = tokens.make("clerk", sub="77", agency_id=5)
    first = await verifier.verify(token)
    assert (first.subject, first.agency_id) == ("77", 5)
    assert await verifier.verify(token) == first  # answered from memory: no new key fetch
    assert len(calls) == 1

    expires = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))["exp"]
    monkeypatch.setattr(time, "time", lambda: expires + 60)
    with pytest.raises(Unauthorized) as expired:
        await verifier.verify(token)
    assert expired.value.code == "token_expired"
    monkeypatch.undo()

    other = tokens.make("public", sub="78")
    assert (await verifier.verify(other)).subject == "78"
    published = {"keys": []}  # the gateway withdrew the key
    verifier.max_age = 0.0  # the next use looks at the JWKS again
    with pytest.raises(Unauthorized) as withdrawn:
        await verifier.verify(other)
    assert withdrawn.value.code == "unknown_key"
