"""Fake identity provider for both motcua realms, for tests and local demos. Never deploy it.

It stands in for the national e-ID (VNeID) / national public-service portal SSO (realm ``citizen``) and for
Khánh Hòa's provincial SSO (realm ``officer``). Each realm gets its own RSA-2048 key (generated at
``start()``, ``kid`` = RFC 7638 thumbprint), issuer ``{base_url}/{realm}`` and audience (``motcua-portal``
for citizens, ``motcua-officer`` for officers).

HTTP (standard library only, ``ThreadingHTTPServer`` in a daemon thread):

* ``GET  /{realm}/.well-known/jwks.json``             public keys
* ``GET  /{realm}/.well-known/openid-configuration``  discovery document
* ``POST /{realm}/token``   JSON claims -> ``{"access_token", "token_type": "Bearer", "expires_in"}``.
  ``sub`` is required; officers may send ``name``, ``roles`` (list), ``agency``, ``unit``, ``scope``
  (``AGENCY`` | ``UNIT`` | ``PERSONAL``); citizens ``name``, ``id_number`` (12 digits), ``eid_level`` (1 | 2).
  Both may send ``expires_in`` (seconds). Or send ``{"demo_user": "<id>"}`` to sign in as a demo identity.
* ``GET  /demo-users``      the ready demo identities (``DEMO_USERS``)

Errors are JSON in the OAuth shape ``{"error": ..., "error_description": ...}``: 400 for bad JSON or claims,
404 for an unknown realm or path, 405 for a wrong method, 413 for an oversized body.

Run ``python -m infra.fakes.identity_issuer --port 8701``: prints the base URL and serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

try:
    from motcua.web.auth import SCOPES, Realm, RealmConfig
except ModuleNotFoundError as exc:  # `python -m infra.fakes.identity_issuer` from the repository root
    if exc.name != "motcua":
        raise
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "layers" / "core" / "python"))
    from motcua.web.auth import SCOPES, Realm, RealmConfig

from infra.fakes.serving import ServedFake

__all__ = ["AUDIENCES", "DEMO_USERS", "DemoUser", "FakeIdentityIssuer", "main"]

AUDIENCES: Mapping[Realm, str] = MappingProxyType(
    {Realm.CITIZEN: "motcua-portal", Realm.OFFICER: "motcua-officer"}
)
DEFAULT_EXPIRES_IN = 3600
MAX_EXPIRES_IN = 24 * 3600
MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class DemoUser:
    """A ready-made identity: ``POST /{realm}/token {"demo_user": id}`` signs it in."""

    id: str
    realm: Realm
    description: str
    claims: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "realm": str(self.realm),
            "description": self.description,
            "claims": dict(self.claims),
        }


def _citizen_sub(id_number: str) -> str:
    # VNeID subjects are opaque and stable; derive one from the ID number so demo data is reproducible.
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://vneid.gov.vn/subject/{id_number}"))


DEMO_AGENCY = "H32.201"
"""UBND phường Ba Ngòi, tỉnh Khánh Hòa (ward-level agency of the demo officers)."""

DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        id="citizen-lan",
        realm=Realm.CITIZEN,
        description="Công dân Nguyễn Thị Lan, phường Ba Ngòi; tài khoản định danh điện tử mức 2",
        claims={
            "sub": _citizen_sub("056190004821"),
            "name": "Nguyễn Thị Lan",
            "id_number": "056190004821",
            "eid_level": 2,
        },
    ),
    DemoUser(
        id="citizen-minh",
        realm=Realm.CITIZEN,
        description="Công dân Trần Văn Minh, phường Bắc Nha Trang; tài khoản định danh điện tử mức 1",
        claims={
            "sub": _citizen_sub("056085012357"),
            "name": "Trần Văn Minh",
            "id_number": "056085012357",
            "eid_level": 1,
        },
    ),
    DemoUser(
        id="officer-desk",
        realm=Realm.OFFICER,
        description="Lê Thị Hồng, cán bộ tiếp nhận và trả kết quả, Bộ phận Một cửa, UBND phường Ba Ngòi",
        claims={
            "sub": "khsso-100231",
            "name": "Lê Thị Hồng",
            "roles": ["DESK_OFFICER"],
            "agency": DEMO_AGENCY,
            "unit": "H32.201.01",
            "scope": "UNIT",
        },
    ),
    DemoUser(
        id="officer-processor",
        realm=Realm.OFFICER,
        description="Phạm Quốc Bảo, chuyên viên xử lý hồ sơ, Phòng Kinh tế, UBND phường Ba Ngòi",
        claims={
            "sub": "khsso-100232",
            "name": "Phạm Quốc Bảo",
            "roles": ["PROCESSOR"],
            "agency": DEMO_AGENCY,
            "unit": "H32.201.03",
            "scope": "PERSONAL",
        },
    ),
    DemoUser(
        id="officer-approver",
        realm=Realm.OFFICER,
        description="Võ Văn Hải, Phó Chủ tịch UBND phường Ba Ngòi, phê duyệt kết quả",
        claims={
            "sub": "khsso-100233",
            "name": "Võ Văn Hải",
            "roles": ["APPROVER"],
            "agency": DEMO_AGENCY,
            "unit": "H32.201.00",
            "scope": "AGENCY",
        },
    ),
    DemoUser(
        id="officer-admin",
        realm=Realm.OFFICER,
        description="Đặng Minh Tuấn, quản trị hệ thống cấp tỉnh, Văn phòng UBND tỉnh Khánh Hòa",
        claims={
            "sub": "khsso-100001",
            "name": "Đặng Minh Tuấn",
            "roles": ["PROVINCE_ADMIN"],
            "agency": "H32",
            "scope": "AGENCY",
        },
    ),
)
_DEMO_BY_ID = {user.id: user for user in DEMO_USERS}

_COMMON_FIELDS = frozenset({"sub", "name", "expires_in"})
_REALM_FIELDS: Mapping[Realm, frozenset[str]] = MappingProxyType(
    {
        Realm.CITIZEN: _COMMON_FIELDS | {"id_number", "eid_level"},
        Realm.OFFICER: _COMMON_FIELDS | {"roles", "agency", "unit", "scope"},
    }
)


# -- JOSE helpers ------------------------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_uint(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8 or 1, "big"))


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class _RealmKey:
    private_key: rsa.RSAPrivateKey
    kid: str
    jwk: Mapping[str, str]
    public_pem: bytes

    @classmethod
    def generate(cls) -> _RealmKey:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = private_key.public_key().public_numbers()
        core = {"e": _b64url_uint(numbers.e), "kty": "RSA", "n": _b64url_uint(numbers.n)}
        kid = _b64url(hashlib.sha256(_json_bytes(core)).digest())  # RFC 7638 thumbprint
        public_pem = private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        jwk = {**core, "kid": kid, "use": "sig", "alg": "RS256"}
        return cls(private_key, kid, MappingProxyType(jwk), public_pem)


_RSA_HASHES: Mapping[str, type[hashes.HashAlgorithm]] = MappingProxyType(
    {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}
)
_HMAC_HASHES: Mapping[str, str] = MappingProxyType({"HS256": "sha256", "HS384": "sha384", "HS512": "sha512"})
_PAYLOAD_OVERRIDES = frozenset({"iss", "aud", "sub", "exp", "iat", "nbf", "jti"})
_HEADER_OVERRIDES = frozenset({"kid", "typ"})


def _sign(
    header: Mapping[str, Any], payload: Mapping[str, Any], *, key: rsa.RSAPrivateKey, secret: bytes | None
) -> str:
    alg = str(header.get("alg"))
    signing_input = f"{_b64url(_json_bytes(header))}.{_b64url(_json_bytes(payload))}".encode("ascii")
    if alg.lower() == "none":
        signature = b""
    elif alg in _RSA_HASHES:
        signature = key.sign(signing_input, padding.PKCS1v15(), _RSA_HASHES[alg]())
    elif alg in _HMAC_HASHES:
        if secret is None:
            raise ValueError(f"alg {alg} needs a secret")
        signature = hmac.new(secret, signing_input, _HMAC_HASHES[alg]).digest()
    else:
        raise ValueError(f"unsupported alg for the fake issuer: {alg!r}")
    return f"{signing_input.decode('ascii')}.{_b64url(signature)}"


# -- the issuer --------------------------------------------------------------------------------------------


class _ClaimsError(ValueError):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


class FakeIdentityIssuer(ServedFake):
    """Both realms' identity providers in one local HTTP server.

    ``public_base_url`` replaces the bound address in issuers and JWKS URLs (e.g. when functions in containers
    reach the fake through ``http://host.docker.internal:8701``).
    """

    thread_name = "fake-identity-issuer"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, public_base_url: str | None = None) -> None:
        super().__init__(host, port, public_base_url)
        self._keys: dict[Realm, _RealmKey] = {}
        self._requests: Counter[tuple[str, str]] = Counter()
        self._requests_lock = threading.Lock()
        self.verbose = False

    # -- lifecycle

    def _before_start(self) -> None:
        self._keys = {realm: _RealmKey.generate() for realm in Realm}

    def _make_server(self) -> _Server:
        return _Server((self._host, self._port), _Handler, self)

    # -- configuration

    def issuer(self, realm: Realm | str) -> str:
        return f"{self.base_url}/{Realm(realm)}"

    def realm_config(self, realm: Realm | str) -> RealmConfig:
        realm = Realm(realm)
        return RealmConfig(
            issuer=self.issuer(realm),
            audience=AUDIENCES[realm],
            jwks_url=f"{self.issuer(realm)}/.well-known/jwks.json",
        )

    def kid(self, realm: Realm | str) -> str:
        return self._key(Realm(realm)).kid

    def public_key_pem(self, realm: Realm | str) -> bytes:
        return self._key(Realm(realm)).public_pem

    def jwks(self, realm: Realm | str) -> dict[str, Any]:
        return {"keys": [dict(self._key(Realm(realm)).jwk)]}

    def openid_configuration(self, realm: Realm | str) -> dict[str, Any]:
        issuer = self.issuer(realm)
        return {
            "issuer": issuer,
            "jwks_uri": f"{issuer}/.well-known/jwks.json",
            "token_endpoint": f"{issuer}/token",
            "response_types_supported": ["token"],
            "grant_types_supported": ["urn:motcua:fake:claims"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "claims_supported": sorted(_REALM_FIELDS[Realm(realm)] - {"expires_in"} | {"iss", "aud", "exp"}),
        }

    # -- minting

    def mint(
        self,
        realm: Realm | str,
        claims: Mapping[str, Any],
        expires_in: int = DEFAULT_EXPIRES_IN,
        **overrides: Any,
    ) -> str:
        """Sign a token for ``realm`` with ``claims`` on top of iss/aud/iat/nbf/exp/jti. No validation.

        Overrides, for negative tests (``None`` removes a claim or header):

        * ``iss``, ``aud``, ``sub``, ``exp``, ``iat``, ``nbf``, ``jti``: payload claims
        * ``kid``, ``typ``: header fields; ``headers``: a dict merged into the header
        * ``alg``: ``RS256`` (default), ``RS384``/``RS512``, ``none`` (unsigned), or ``HS256``/``HS384``/
          ``HS512`` keyed with ``secret`` (default: the realm's public key PEM, the key-confusion attack)
        * ``signing_key``: an ``RSAPrivateKey`` to sign with instead of the realm's (same ``kid``)
        """
        realm = Realm(realm)
        key = self._key(realm)
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": self.issuer(realm),
            "aud": AUDIENCES[realm],
            "iat": now,
            "nbf": now,
            "exp": now + expires_in,
            "jti": uuid.uuid4().hex,
        }
        payload.update(claims)
        header: dict[str, Any] = {"alg": "RS256", "typ": "JWT", "kid": key.kid}

        options = dict(overrides)
        alg = options.pop("alg", "RS256")
        secret = options.pop("secret", key.public_pem)
        signing_key = options.pop("signing_key", key.private_key)
        extra_headers = options.pop("headers", None) or {}
        for name, value in options.items():
            if name in _PAYLOAD_OVERRIDES:
                target = payload
            elif name in _HEADER_OVERRIDES:
                target = header
            else:
                raise TypeError(f"mint() got an unexpected override {name!r}")
            if value is None:
                target.pop(name, None)
            else:
                target[name] = value
        header["alg"] = alg
        header.update(extra_headers)
        if isinstance(secret, str):
            secret = secret.encode("utf-8")
        return _sign(header, payload, key=signing_key, secret=secret)

    def mint_demo(self, demo_user_id: str, expires_in: int = DEFAULT_EXPIRES_IN) -> str:
        user = _DEMO_BY_ID.get(demo_user_id)
        if user is None:
            raise KeyError(f"unknown demo user {demo_user_id!r}; known: {sorted(_DEMO_BY_ID)}")
        return self.mint(user.realm, dict(user.claims), expires_in)

    # -- request bookkeeping (for tests)

    def request_count(self, method: str | None = None, path: str | None = None) -> int:
        """How many requests matched ``method`` and ``path`` (either ``None`` matches all)."""
        with self._requests_lock:
            return sum(
                count
                for (m, p), count in self._requests.items()
                if (method is None or m == method) and (path is None or p == path)
            )

    def jwks_fetch_count(self, realm: Realm | str | None = None) -> int:
        realms = list(Realm) if realm is None else [Realm(realm)]
        return sum(self.request_count("GET", f"/{r}/.well-known/jwks.json") for r in realms)

    # -- internals

    def _key(self, realm: Realm) -> _RealmKey:
        try:
            return self._keys[realm]
        except KeyError:
            raise RuntimeError("FakeIdentityIssuer is not started (keys are generated at start)") from None

    def _record(self, method: str, path: str) -> None:
        with self._requests_lock:
            self._requests[(method, path)] += 1

    def _token_response(self, realm: Realm, body: Any) -> dict[str, Any]:
        claims, expires_in = _claims_from_request(realm, body)
        return {
            "access_token": self.mint(realm, claims, expires_in),
            "token_type": "Bearer",
            "expires_in": expires_in,
        }


def _claims_from_request(realm: Realm, body: Any) -> tuple[dict[str, Any], int]:
    if not isinstance(body, dict):
        raise _ClaimsError("invalid_request", "the body must be a JSON object of claims")
    expires_in = body.get("expires_in", DEFAULT_EXPIRES_IN)
    if (
        isinstance(expires_in, bool)
        or not isinstance(expires_in, int)
        or not 0 < expires_in <= MAX_EXPIRES_IN
    ):
        raise _ClaimsError("invalid_request", f"expires_in must be an integer in 1..{MAX_EXPIRES_IN}")

    if "demo_user" in body:
        extra = sorted(set(body) - {"demo_user", "expires_in"})
        if extra:
            raise _ClaimsError("invalid_request", f"demo_user cannot be combined with {extra}")
        user = _DEMO_BY_ID.get(body["demo_user"]) if isinstance(body["demo_user"], str) else None
        if user is None:
            raise _ClaimsError("invalid_grant", f"unknown demo_user; see /demo-users ({sorted(_DEMO_BY_ID)})")
        if user.realm is not realm:
            raise _ClaimsError("invalid_grant", f"demo user {user.id} belongs to realm {user.realm}")
        return dict(user.claims), expires_in

    unknown = sorted(set(body) - _REALM_FIELDS[realm])
    if unknown:
        raise _ClaimsError("invalid_request", f"unknown fields for realm {realm}: {unknown}")
    sub = body.get("sub")
    if not isinstance(sub, str) or not sub.strip() or len(sub) > 255:
        raise _ClaimsError("invalid_request", "sub is required: a non-empty string of at most 255 characters")
    for name in ("name", "agency", "unit"):
        if name in body and not isinstance(body[name], str):
            raise _ClaimsError("invalid_request", f"{name} must be a string")
    if realm is Realm.OFFICER:
        roles = body.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) and r for r in roles):
            raise _ClaimsError("invalid_request", "roles must be a list of non-empty strings")
        if "scope" in body and body["scope"] not in SCOPES:
            raise _ClaimsError("invalid_request", f"scope must be one of {sorted(SCOPES)}")
    else:
        id_number = body.get("id_number")
        if id_number is not None and not (
            isinstance(id_number, str)
            and len(id_number) == 12
            and id_number.isascii()
            and id_number.isdigit()
        ):
            raise _ClaimsError(
                "invalid_request", "id_number must be a 12-digit string (số định danh cá nhân)"
            )
        eid_level = body.get("eid_level")
        if eid_level is not None and (isinstance(eid_level, bool) or eid_level not in (1, 2)):
            raise _ClaimsError("invalid_request", "eid_level must be 1 or 2")
    claims = {name: value for name, value in body.items() if name != "expires_in"}
    return claims, expires_in


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], fake: FakeIdentityIssuer
    ):
        self.fake = fake
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "FakeIdentityIssuer/1.0"  # HTTP/1.0: one request per connection, no unread bodies left

    # -- routing

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_OPTIONS(self) -> None:  # CORS preflight for a browser demo front end
        self._record("OPTIONS")
        self.send_response(HTTPStatus.NO_CONTENT)
        self._cors_headers()
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Authorization")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _dispatch(self, method: str) -> None:
        path = self._record(method)
        fake = self.server.fake
        try:
            if path == "/":
                self._allow(method, "GET")
                self._send_json(HTTPStatus.OK, self._index())
                return
            if path == "/demo-users":
                self._allow(method, "GET")
                self._send_json(HTTPStatus.OK, [user.to_json() for user in DEMO_USERS])
                return
            realm_name, _, rest = path.lstrip("/").partition("/")
            try:
                realm = Realm(realm_name)
            except ValueError:
                raise _HttpError(HTTPStatus.NOT_FOUND, "not_found", f"unknown realm {realm_name!r}") from None
            if rest == ".well-known/jwks.json":
                self._allow(method, "GET")
                self._send_json(HTTPStatus.OK, fake.jwks(realm), cache="public, max-age=300")
            elif rest == ".well-known/openid-configuration":
                self._allow(method, "GET")
                self._send_json(HTTPStatus.OK, fake.openid_configuration(realm), cache="public, max-age=300")
            elif rest == "token":
                self._allow(method, "POST")
                body = self._read_json()
                try:
                    response = fake._token_response(realm, body)
                except _ClaimsError as exc:
                    raise _HttpError(HTTPStatus.BAD_REQUEST, exc.error, exc.description) from None
                self._send_json(HTTPStatus.OK, response, cache="no-store")
            else:
                raise _HttpError(HTTPStatus.NOT_FOUND, "not_found", f"no such endpoint: {path}")
        except _HttpError as exc:
            self._send_json(
                exc.status,
                {"error": exc.error, "error_description": exc.description},
                extra_headers=exc.headers,
            )

    def _index(self) -> dict[str, Any]:
        fake = self.server.fake
        return {
            "service": "motcua fake identity issuer (local only)",
            "realms": {str(r): f"{fake.issuer(r)}/.well-known/openid-configuration" for r in Realm},
            "demo_users": f"{fake.base_url}/demo-users",
        }

    # -- plumbing

    def _record(self, method: str) -> str:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        self.server.fake._record(method, path)
        return path

    @staticmethod
    def _allow(method: str, allowed: str) -> None:
        if method != allowed:
            raise _HttpError(
                HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed", f"use {allowed}", {"Allow": allowed}
            )

    def _read_json(self) -> Any:
        raw_length = self.headers.get("Content-Length", "0")
        try:
            length = int(raw_length)
        except ValueError:
            raise _HttpError(HTTPStatus.BAD_REQUEST, "invalid_request", "bad Content-Length") from None
        if length < 0:
            raise _HttpError(HTTPStatus.BAD_REQUEST, "invalid_request", "bad Content-Length")
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            raise _HttpError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "invalid_request", f"body over {MAX_BODY_BYTES} bytes"
            )
        raw = self.rfile.read(length)
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _HttpError(
                HTTPStatus.BAD_REQUEST, "invalid_request", "the body is not valid JSON"
            ) from None

    def _cors_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")

    def _send_json(
        self,
        status: HTTPStatus,
        body: Any,
        *,
        cache: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> None:
        data = _json_bytes(body)
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self._cors_headers()
        if cache:
            self.send_header("Cache-Control", cache)
            if cache == "no-store":
                self.send_header("Pragma", "no-cache")
        for name, value in (extra_headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # request lines only; bodies hold claims
        if self.server.fake.verbose:
            super().log_message(format, *args)


class _HttpError(Exception):
    def __init__(
        self, status: HTTPStatus, error: str, description: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description
        self.headers = headers or {}


# -- command line ------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.fakes.identity_issuer",
        description="Fake VNeID (citizen) and provincial SSO (officer) identity provider for local use.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8701, help="port to bind, 0 for any (default 8701)")
    parser.add_argument(
        "--public-url", default=None, help="base URL to put in issuers and JWKS URLs (default: bound address)"
    )
    parser.add_argument("--verbose", action="store_true", help="log request lines to stderr")
    args = parser.parse_args(argv)

    fake = FakeIdentityIssuer(args.host, args.port, public_base_url=args.public_url)
    fake.verbose = args.verbose
    base_url = fake.start()
    print(base_url, flush=True)
    for realm in Realm:
        config = fake.realm_config(realm)
        print(f"  {realm}: issuer={config.issuer} audience={config.audience}", file=sys.stderr)
    print(f"  demo users: {', '.join(user.id for user in DEMO_USERS)}", file=sys.stderr, flush=True)

    fake.serve_until_stopped()
    return 0


if __name__ == "__main__":
    sys.exit(main())
