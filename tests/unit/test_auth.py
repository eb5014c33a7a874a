"""motcua.web.auth against the fake identity issuer (real RSA keys, real JWKS over HTTP)."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.fakes.identity_issuer import DEMO_USERS, FakeIdentityIssuer
from motcua.errors import Forbidden, Unauthenticated
from motcua.web.auth import Authenticator, KeySetUnavailable, Principal, Realm, RealmConfig

ROOT = Path(__file__).resolve().parents[2]

CITIZEN_CLAIMS = {
    "sub": "6f1c2d7e-citizen",
    "name": "Nguyễn Thị Lan",
    "id_number": "056190004821",
    "eid_level": 2,
}
OFFICER_CLAIMS = {
    "sub": "khsso-100232",
    "name": "Phạm Quốc Bảo",
    "roles": ["PROCESSOR"],
    "agency": "H32.201",
    "unit": "H32.201.03",
    "scope": "UNIT",
}


@pytest.fixture(scope="module")
def issuer() -> Iterator[FakeIdentityIssuer]:
    fake = FakeIdentityIssuer(port=0)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def authn(issuer: FakeIdentityIssuer) -> Authenticator:
    return Authenticator({realm: issuer.realm_config(realm) for realm in Realm})


def bearer(token: str) -> str:
    return f"Bearer {token}"


def rejected(authn: Authenticator, header: str | None, allowed: Any = tuple(Realm)) -> Unauthenticated:
    with pytest.raises(Unauthenticated) as info:
        authn.authenticate(header, allowed)
    return info.value


def http_json(url: str, body: Any = None, raw: bytes | None = None) -> tuple[int, Any]:
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        with err:
            return err.code, json.loads(err.read())


# -- happy paths ---------------------------------------------------------------------------------------------


def test_valid_citizen_token(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    token = issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS, jti="jti-123")

    principal = authn.authenticate(bearer(token), Realm.CITIZEN)

    assert principal == Principal(
        realm=Realm.CITIZEN,
        subject="6f1c2d7e-citizen",
        roles=frozenset({"CITIZEN"}),
        agency=None,
        unit=None,
        scope="PERSONAL",
        name="Nguyễn Thị Lan",
        id_number="056190004821",
        eid_level=2,
        token_id="jti-123",
    )
    assert principal.has_role("CITIZEN")
    assert not principal.has_role("APPROVER")


def test_valid_officer_token_with_roles(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    token = issuer.mint(Realm.OFFICER, {**OFFICER_CLAIMS, "roles": ["PROCESSOR", "DESK_OFFICER"]})

    principal = authn.authenticate(bearer(token), Realm.OFFICER, roles=["PROCESSOR"])

    assert principal.realm is Realm.OFFICER
    assert principal.subject == "khsso-100232"
    assert principal.roles == {"PROCESSOR", "DESK_OFFICER"}
    assert (principal.agency, principal.unit, principal.scope) == ("H32.201", "H32.201.03", "UNIT")
    assert principal.name == "Phạm Quốc Bảo"
    assert principal.id_number is None and principal.eid_level is None
    assert principal.token_id
    assert principal.has_role("APPROVER", "DESK_OFFICER")
    assert not principal.has_role("CITIZEN")
    assert not principal.has_role()


def test_roles_are_alternatives(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    token = issuer.mint(Realm.OFFICER, OFFICER_CLAIMS)
    principal = authn.authenticate(bearer(token), [Realm.OFFICER], roles=("APPROVER", "PROCESSOR"))
    assert principal.has_role("PROCESSOR")


def test_scope_defaults_to_personal(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    claims = {k: v for k, v in OFFICER_CLAIMS.items() if k != "scope"}
    principal = authn.authenticate(bearer(issuer.mint(Realm.OFFICER, claims)), Realm.OFFICER)
    assert principal.scope == "PERSONAL"


def test_unrecognised_scope_falls_back_to_least_privilege(
    issuer: FakeIdentityIssuer, authn: Authenticator
) -> None:
    token = issuer.mint(Realm.OFFICER, {**OFFICER_CLAIMS, "scope": "openid profile"})
    assert authn.authenticate(bearer(token), Realm.OFFICER).scope == "PERSONAL"


def test_citizen_token_cannot_carry_provincial_powers(
    issuer: FakeIdentityIssuer, authn: Authenticator
) -> None:
    claims = {**CITIZEN_CLAIMS, "roles": ["APPROVER", "ADMIN"], "agency": "H32", "scope": "AGENCY"}
    principal = authn.authenticate(bearer(issuer.mint(Realm.CITIZEN, claims)), Realm.CITIZEN)
    assert principal.roles == {"CITIZEN"}
    assert (principal.agency, principal.unit, principal.scope) == (None, None, "PERSONAL")


def test_officer_token_cannot_claim_citizen_role(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    token = issuer.mint(Realm.OFFICER, {**OFFICER_CLAIMS, "roles": ["CITIZEN", "PROCESSOR"]})
    assert authn.authenticate(bearer(token), Realm.OFFICER).roles == {"PROCESSOR"}


def test_scheme_is_case_insensitive_and_leeway_applies(
    issuer: FakeIdentityIssuer, authn: Authenticator
) -> None:
    token = issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS, exp=int(time.time()) - 10)  # within the 30 s leeway
    assert authn.authenticate(f"bearer  {token} ", Realm.CITIZEN).subject == CITIZEN_CLAIMS["sub"]


# -- 401: credentials missing or not verifiable --------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "", "   ", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a b"])
def test_missing_or_malformed_header(authn: Authenticator, header: str | None) -> None:
    error = rejected(authn, header)
    assert error.code == "UNAUTHENTICATED"
    assert error.message_vi


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "e30.e30", "!!.??.##", "x" * 20000])
def test_garbage_token(authn: Authenticator, token: str) -> None:
    assert rejected(authn, bearer(token)).code == "TOKEN_MALFORMED"


def test_expired_token(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    token = issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS, exp=int(time.time()) - 120)
    error = rejected(authn, bearer(token))
    assert error.code == "TOKEN_EXPIRED"
    assert "hết hạn" in error.message_vi


def test_not_yet_valid_token(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    token = issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS, nbf=int(time.time()) + 600)
    assert rejected(authn, bearer(token)).code == "TOKEN_NOT_YET_VALID"


def test_wrong_audience(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    token = issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS, aud="some-other-app")
    assert rejected(authn, bearer(token)).code == "INVALID_AUDIENCE"


def test_other_realms_audience_is_wrong_audience(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    token = issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS, aud="motcua-officer")
    assert rejected(authn, bearer(token)).code == "INVALID_AUDIENCE"


def test_unknown_issuer(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    token = issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS, iss="https://evil.example/citizen")
    assert rejected(authn, bearer(token)).code == "UNKNOWN_ISSUER"


def test_missing_issuer(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    token = issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS, iss=None)
    assert rejected(authn, bearer(token)).code == "UNKNOWN_ISSUER"


def test_citizen_key_cannot_mint_officer_tokens(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    # Signed with the citizen realm's key (and kid) but claiming the officer issuer.
    token = issuer.mint(Realm.CITIZEN, OFFICER_CLAIMS, iss=issuer.issuer(Realm.OFFICER), aud="motcua-officer")
    assert rejected(authn, bearer(token)).code == "UNKNOWN_KEY"


def test_alg_none(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    for alg in ("none", "None", "NONE"):
        token = issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS, alg=alg)
        assert token.endswith(".")
        assert rejected(authn, bearer(token)).code == "UNSUPPORTED_ALGORITHM"


def test_token_without_alg(authn: Authenticator) -> None:
    assert rejected(authn, bearer("e30.e30.")).code == "UNSUPPORTED_ALGORITHM"  # {} . {} . no signature


def test_hs256_signed_with_public_key_pem(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    token = issuer.mint(
        Realm.OFFICER, OFFICER_CLAIMS, alg="HS256", secret=issuer.public_key_pem(Realm.OFFICER)
    )
    assert rejected(authn, bearer(token)).code == "UNSUPPORTED_ALGORITHM"


def test_other_rsa_algorithms_are_refused(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    token = issuer.mint(Realm.OFFICER, OFFICER_CLAIMS, alg="RS512")
    assert rejected(authn, bearer(token)).code == "UNSUPPORTED_ALGORITHM"


def test_different_key_with_same_kid(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = issuer.mint(Realm.OFFICER, OFFICER_CLAIMS, signing_key=impostor)
    assert rejected(authn, bearer(token)).code == "INVALID_SIGNATURE"


def test_tampered_payload(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    genuine = issuer.mint(Realm.OFFICER, OFFICER_CLAIMS)
    forged = issuer.mint(Realm.OFFICER, {**OFFICER_CLAIMS, "roles": ["ADMIN"], "scope": "AGENCY"})
    header, _, signature = genuine.split(".")
    token = ".".join([header, forged.split(".")[1], signature])
    assert rejected(authn, bearer(token)).code == "INVALID_SIGNATURE"


def test_expired_and_forged_reports_the_signature(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS, exp=int(time.time()) - 3600, signing_key=impostor)
    assert rejected(authn, bearer(token)).code == "INVALID_SIGNATURE"


@pytest.mark.parametrize("kid", ["no-such-kid", None, ""])
def test_unknown_or_missing_kid(issuer: FakeIdentityIssuer, authn: Authenticator, kid: str | None) -> None:
    token = issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS, kid=kid)
    assert rejected(authn, bearer(token)).code == "UNKNOWN_KEY"


@pytest.mark.parametrize(
    ("realm", "claims", "overrides"),
    [
        (Realm.CITIZEN, CITIZEN_CLAIMS, {"exp": None}),
        (Realm.CITIZEN, CITIZEN_CLAIMS, {"sub": None}),
        (Realm.CITIZEN, {**CITIZEN_CLAIMS, "sub": "   "}, {}),
        (Realm.CITIZEN, {**CITIZEN_CLAIMS, "sub": 42}, {}),
        (Realm.CITIZEN, {**CITIZEN_CLAIMS, "id_number": "05619000482"}, {}),
        (Realm.CITIZEN, {**CITIZEN_CLAIMS, "id_number": 56190004821}, {}),
        (Realm.CITIZEN, {**CITIZEN_CLAIMS, "eid_level": True}, {}),
        (Realm.CITIZEN, {**CITIZEN_CLAIMS, "eid_level": 0}, {}),
        (Realm.OFFICER, {**OFFICER_CLAIMS, "roles": [1, 2]}, {}),
        (Realm.OFFICER, {**OFFICER_CLAIMS, "roles": {"PROCESSOR": True}}, {}),
        (Realm.OFFICER, {**OFFICER_CLAIMS, "agency": ["H32.201"]}, {}),
    ],
)
def test_missing_or_malformed_claims(
    issuer: FakeIdentityIssuer,
    authn: Authenticator,
    realm: Realm,
    claims: dict[str, Any],
    overrides: dict[str, Any],
) -> None:
    token = issuer.mint(realm, claims, **overrides)
    assert rejected(authn, bearer(token)).code == "INVALID_CLAIMS"


# -- 403: verified, but not allowed --------------------------------------------------------------------------


def test_citizen_token_on_officer_only_operation(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    token = issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS)
    with pytest.raises(Forbidden) as info:
        authn.authenticate(bearer(token), Realm.OFFICER)
    assert info.value.code == "WRONG_REALM"
    assert not isinstance(info.value, Unauthenticated)


def test_officer_token_on_citizen_only_operation(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    token = issuer.mint(Realm.OFFICER, OFFICER_CLAIMS)
    with pytest.raises(Forbidden) as info:
        authn.authenticate(bearer(token), [Realm.CITIZEN])
    assert info.value.code == "WRONG_REALM"


def test_wrong_realm_is_judged_only_after_verification(
    issuer: FakeIdentityIssuer, authn: Authenticator
) -> None:
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS, signing_key=impostor)
    assert rejected(authn, bearer(token), Realm.OFFICER).code == "INVALID_SIGNATURE"


def test_realm_not_configured_is_unknown_issuer(issuer: FakeIdentityIssuer) -> None:
    officers_only = Authenticator({Realm.OFFICER: issuer.realm_config(Realm.OFFICER)})
    token = issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS)
    assert rejected(officers_only, bearer(token), Realm.OFFICER).code == "UNKNOWN_ISSUER"


def test_officer_missing_role(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    token = issuer.mint(Realm.OFFICER, OFFICER_CLAIMS)
    with pytest.raises(Forbidden) as info:
        authn.authenticate(bearer(token), Realm.OFFICER, roles=["APPROVER", "ADMIN"])
    assert info.value.code == "ROLE_REQUIRED"


def test_officer_without_roles_claim_has_no_roles(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    claims = {k: v for k, v in OFFICER_CLAIMS.items() if k != "roles"}
    token = issuer.mint(Realm.OFFICER, claims)
    assert authn.authenticate(bearer(token), Realm.OFFICER).roles == frozenset()
    with pytest.raises(Forbidden) as info:
        authn.authenticate(bearer(token), Realm.OFFICER, roles="PROCESSOR")
    assert info.value.code == "ROLE_REQUIRED"


def test_citizen_role_requirement(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    citizen = issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS)
    officer = issuer.mint(Realm.OFFICER, OFFICER_CLAIMS)
    assert authn.authenticate(bearer(citizen), tuple(Realm), roles=["CITIZEN"]).realm is Realm.CITIZEN
    with pytest.raises(Forbidden):
        authn.authenticate(bearer(officer), tuple(Realm), roles=["CITIZEN"])


# -- the fake issuer over real HTTP --------------------------------------------------------------------------


def test_demo_users_are_listed(issuer: FakeIdentityIssuer) -> None:
    status, users = http_json(f"{issuer.base_url}/demo-users")
    assert status == 200
    assert [user["id"] for user in users] == [user.id for user in DEMO_USERS]
    assert {user["realm"] for user in users} == {"citizen", "officer"}
    assert any(user["claims"].get("agency") == "H32.201" for user in users)


@pytest.mark.parametrize("demo", DEMO_USERS, ids=lambda demo: demo.id)
def test_demo_user_minting_over_http(issuer: FakeIdentityIssuer, authn: Authenticator, demo: Any) -> None:
    status, body = http_json(f"{issuer.base_url}/{demo.realm}/token", {"demo_user": demo.id})
    assert status == 200
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600

    principal = authn.authenticate(bearer(body["access_token"]), demo.realm)

    assert principal.realm is demo.realm
    assert principal.subject == demo.claims["sub"]
    assert principal.name == demo.claims["name"]
    if demo.realm is Realm.CITIZEN:
        assert principal.id_number == demo.claims["id_number"]
        assert principal.id_number is not None and len(principal.id_number) == 12
        assert principal.roles == {"CITIZEN"}
    else:
        assert principal.roles == set(demo.claims["roles"])
        assert principal.agency == demo.claims["agency"]
        assert principal.scope == demo.claims["scope"]


def test_token_endpoint_with_claims(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    claims = {k: v for k, v in OFFICER_CLAIMS.items() if k != "scope"}
    status, body = http_json(f"{issuer.base_url}/officer/token", {**claims, "expires_in": 600})
    assert (status, body["expires_in"]) == (200, 600)
    principal = authn.authenticate(bearer(body["access_token"]), Realm.OFFICER, roles=["PROCESSOR"])
    assert (principal.agency, principal.scope) == ("H32.201", "PERSONAL")


def test_demo_user_of_the_other_realm_is_refused(issuer: FakeIdentityIssuer) -> None:
    status, body = http_json(f"{issuer.base_url}/citizen/token", {"demo_user": "officer-approver"})
    assert status == 400 and body["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("path", "payload", "status"),
    [
        ("/citizen/token", b"{not json", 400),
        ("/citizen/token", b"[1, 2]", 400),
        ("/citizen/token", json.dumps({"name": "no sub"}).encode(), 400),
        ("/citizen/token", json.dumps({"sub": "x", "roles": ["ADMIN"]}).encode(), 400),
        ("/citizen/token", json.dumps({"sub": "x", "id_number": "123"}).encode(), 400),
        ("/officer/token", json.dumps({"sub": "x", "scope": "EVERYTHING"}).encode(), 400),
        ("/officer/token", json.dumps({"demo_user": "nobody"}).encode(), 400),
        ("/enterprise/token", json.dumps({"sub": "x"}).encode(), 404),
        ("/enterprise/.well-known/jwks.json", None, 404),
        ("/citizen/nowhere", None, 404),
        ("/citizen/.well-known/jwks.json", b"{}", 405),
    ],
)
def test_token_endpoint_errors(
    issuer: FakeIdentityIssuer, path: str, payload: bytes | None, status: int
) -> None:
    code, body = http_json(f"{issuer.base_url}{path}", raw=payload)
    assert code == status
    assert body["error"] and body["error_description"]


def test_discovery_matches_realm_config(issuer: FakeIdentityIssuer) -> None:
    for realm in Realm:
        config = issuer.realm_config(realm)
        status, document = http_json(f"{config.issuer}/.well-known/openid-configuration")
        assert status == 200
        assert document["issuer"] == config.issuer
        assert document["jwks_uri"] == config.jwks_url
        _, jwks = http_json(config.jwks_url)
        assert [(key["kid"], key["kty"], key["alg"]) for key in jwks["keys"]] == [
            (issuer.kid(realm), "RSA", "RS256")
        ]
    assert issuer.realm_config(Realm.CITIZEN).audience == "motcua-portal"
    assert issuer.realm_config(Realm.OFFICER).audience == "motcua-officer"
    assert issuer.kid(Realm.CITIZEN) != issuer.kid(Realm.OFFICER)


# -- laziness, caching, cold start ---------------------------------------------------------------------------


def test_jwks_is_fetched_lazily_and_cached(issuer: FakeIdentityIssuer) -> None:
    officer_before = issuer.jwks_fetch_count(Realm.OFFICER)
    citizen_before = issuer.jwks_fetch_count(Realm.CITIZEN)
    authn = Authenticator({realm: issuer.realm_config(realm) for realm in Realm})
    assert issuer.jwks_fetch_count(Realm.OFFICER) == officer_before

    authn.authenticate(bearer(issuer.mint(Realm.OFFICER, OFFICER_CLAIMS)), Realm.OFFICER)
    authn.authenticate(bearer(issuer.mint(Realm.OFFICER, OFFICER_CLAIMS)), Realm.OFFICER)

    assert issuer.jwks_fetch_count(Realm.OFFICER) == officer_before + 1  # once, then cached
    assert issuer.jwks_fetch_count(Realm.CITIZEN) == citizen_before  # a realm not yet seen is not fetched


def test_no_http_before_a_token_is_seen(issuer: FakeIdentityIssuer) -> None:
    before = issuer.request_count()
    authn = Authenticator({realm: issuer.realm_config(realm) for realm in Realm})
    rejected(authn, None)
    rejected(authn, bearer("garbage"))
    rejected(authn, bearer(issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS, alg="none")))
    assert issuer.request_count() == before


def test_unreachable_jwks_is_an_outage_not_a_401(issuer: FakeIdentityIssuer) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    config = issuer.realm_config(Realm.CITIZEN)
    broken = RealmConfig(config.issuer, config.audience, f"http://127.0.0.1:{closed_port}/jwks.json")
    authn = Authenticator({Realm.CITIZEN: broken}, jwks_timeout_seconds=2)
    with pytest.raises(KeySetUnavailable):
        authn.authenticate(bearer(issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS)), Realm.CITIZEN)


def test_import_is_cheap() -> None:
    code = (
        "import sys, motcua.web.auth\n"
        "heavy = {'jwt', 'cryptography', 'boto3', 'botocore', 'chalice', 'aws_lambda_powertools'}\n"
        "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "layers" / "core" / "python")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


# -- privacy and configuration -------------------------------------------------------------------------------


def test_no_token_or_personal_data_in_errors_logs_or_repr(
    issuer: FakeIdentityIssuer, authn: Authenticator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    good = issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS)
    expired = issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS, exp=int(time.time()) - 3600)
    odd_scope = issuer.mint(Realm.OFFICER, {**OFFICER_CLAIMS, "scope": "openid profile"})

    principal = authn.authenticate(bearer(good), Realm.CITIZEN)
    authn.authenticate(bearer(odd_scope), Realm.OFFICER)
    errors: list[Exception] = [rejected(authn, bearer(expired))]
    with pytest.raises(Forbidden) as info:
        authn.authenticate(bearer(good), Realm.OFFICER)
    errors.append(info.value)

    personal = [value for value in CITIZEN_CLAIMS.values() if isinstance(value, str)]
    secrets = [good, expired, *good.split("."), *expired.split("."), *personal, "Phạm Quốc Bảo"]
    texts = [
        caplog.text,
        repr(principal),
        str(principal),
        *map(str, errors),
        *(repr(e.__dict__) for e in errors),
    ]
    for text in texts:
        for secret in secrets:
            assert secret not in text
    assert all(
        e.__cause__ is None and e.__suppress_context__ for e in errors if isinstance(e, Unauthenticated)
    )


def test_configuration_errors(issuer: FakeIdentityIssuer, authn: Authenticator) -> None:
    config = issuer.realm_config(Realm.CITIZEN)
    with pytest.raises(ValueError):
        Authenticator({})
    with pytest.raises(ValueError):
        Authenticator({Realm.CITIZEN: config, Realm.OFFICER: config})
    with pytest.raises(ValueError):
        RealmConfig("", "aud", "https://example/jwks.json")
    with pytest.raises(ValueError):
        authn.authenticate(bearer(issuer.mint(Realm.CITIZEN, CITIZEN_CLAIMS)), [])


def test_principal_constructed_directly() -> None:
    citizen = Principal(Realm.CITIZEN, "s-1")
    assert citizen.roles == {"CITIZEN"} and citizen.scope == "PERSONAL"
    officer = Principal(Realm.OFFICER, "s-2", frozenset({"APPROVER"}), "H32.201", None, "AGENCY")
    assert officer.has_role("APPROVER") and not officer.has_role("CITIZEN")
    with pytest.raises(ValueError):
        Principal(Realm.OFFICER, "s-3", scope="EVERYTHING")
