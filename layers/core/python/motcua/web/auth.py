"""Bearer-token (JWT) authentication for the two realms that call motcua.

* ``citizen``: people and organisations signing in through the national e-ID (VNeID) / national public-service
  portal single sign-on.
* ``officer``: cadres and civil servants signing in through Khánh Hòa's provincial single sign-on.

Each realm is one issuer with its own audience and JWKS. A token names its realm through ``iss``: the claim is
read unverified only to choose the realm's configuration, then the token is fully verified against that
configuration (RS256 only, signature, ``exp``/``nbf``/``iat`` with leeway, ``iss``, ``aud``, ``sub``).

Failures raise ``motcua.errors.Unauthenticated`` (401) or ``Forbidden`` (403) with one of these stable codes:

=========================  ======  =================================================================
code                       status  meaning
=========================  ======  =================================================================
``UNAUTHENTICATED``        401     no ``Authorization`` header, or not ``Bearer <token>``
``TOKEN_MALFORMED``        401     not a decodable JWT
``UNSUPPORTED_ALGORITHM``  401     ``alg`` other than RS256 (``none``, HS256, ...)
``UNKNOWN_ISSUER``         401     ``iss`` is not one of the configured realms
``UNKNOWN_KEY``            401     no ``kid``, or ``kid`` not in the realm's JWKS
``INVALID_SIGNATURE``      401     signature does not verify with the realm's key
``TOKEN_EXPIRED``          401     ``exp`` has passed (beyond the leeway)
``TOKEN_NOT_YET_VALID``    401     ``nbf``/``iat`` in the future (beyond the leeway)
``INVALID_AUDIENCE``       401     ``aud`` is not the realm's audience
``INVALID_CLAIMS``         401     required claim missing or malformed (``exp``, ``sub``, ``roles``, ...)
``WRONG_REALM``            403     valid token, but its realm is not allowed here
``ROLE_REQUIRED``          403     valid token, but it holds none of the required roles
=========================  ======  =================================================================

If a realm's JWKS cannot be fetched at all, ``KeySetUnavailable`` is raised: that is our outage, not the
caller's bad credentials, so it must not become a 401 that logs people out.

Cold start: this module imports only the standard library and ``motcua.errors``; PyJWT is imported on first
use and each realm's JWKS is fetched on the first token of that realm, then cached. Tokens and personal claims
are never logged, and ``Principal``'s repr hides the subject, name and ID number.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NoReturn

from motcua.errors import Forbidden, Unauthenticated

if TYPE_CHECKING:
    from jwt import PyJWK, PyJWKClient

__all__ = [
    "ALGORITHM",
    "CITIZEN_ROLE",
    "SCOPES",
    "Authenticator",
    "KeySetUnavailable",
    "Principal",
    "Realm",
    "RealmConfig",
]

_log = logging.getLogger(__name__)

ALGORITHM = "RS256"
"""The only signing algorithm accepted, in every realm."""

CITIZEN_ROLE = "CITIZEN"
"""The only role of every citizen-realm principal: the national SSO grants no provincial roles."""

SCOPES = frozenset({"AGENCY", "UNIT", "PERSONAL"})
"""Data scopes of an officer: the whole agency, their unit, or only dossiers assigned to them."""

_DEFAULT_SCOPE = "PERSONAL"
_MAX_TOKEN_CHARS = 16 * 1024
_ID_NUMBER = re.compile(r"\d{12}")
_REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]


class Realm(StrEnum):
    """Who signs a caller in."""

    CITIZEN = "citizen"  # national e-ID (VNeID) / national public-service portal SSO
    OFFICER = "officer"  # Khánh Hòa provincial SSO


@dataclass(frozen=True)
class RealmConfig:
    """How to verify one realm's tokens. The algorithm is pinned to RS256 (``ALGORITHM``)."""

    issuer: str
    audience: str
    jwks_url: str

    def __post_init__(self) -> None:
        for name in ("issuer", "audience", "jwks_url"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ValueError(f"RealmConfig.{name} must be a non-empty string")


@dataclass(frozen=True)
class Principal:
    """The verified caller.

    ``scope`` is ``AGENCY``, ``UNIT`` or ``PERSONAL`` (the default, also for every citizen). ``id_number`` is
    the citizen's 12-digit personal identification number (số định danh cá nhân) and ``eid_level`` their VNeID
    account level; both are ``None`` for officers. Citizens always hold the role ``CITIZEN``.
    """

    realm: Realm
    subject: str = field(repr=False)
    roles: frozenset[str] = frozenset()
    agency: str | None = None
    unit: str | None = None
    scope: str = _DEFAULT_SCOPE
    name: str | None = field(default=None, repr=False)
    id_number: str | None = field(default=None, repr=False)
    eid_level: int | None = None
    token_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "realm", Realm(self.realm))
        roles = frozenset(self.roles)
        if self.realm is Realm.CITIZEN:
            roles |= {CITIZEN_ROLE}
        object.__setattr__(self, "roles", roles)
        if self.scope not in SCOPES:
            raise ValueError(f"scope must be one of {sorted(SCOPES)}")

    def has_role(self, *roles: str) -> bool:
        """True if the principal holds at least one of ``roles`` (False when none are given)."""
        return any(role in self.roles for role in roles)


class KeySetUnavailable(RuntimeError):
    """A realm's JWKS could not be fetched or holds no usable keys: a server-side outage (5xx), not a 401."""


class Authenticator:
    """Verifies ``Authorization: Bearer`` tokens against the configured realms.

    Create one per process (module level is fine: nothing is fetched until the first token arrives) and reuse
    it, so that each realm's JWKS is fetched once and cached.
    """

    def __init__(
        self,
        realms: Mapping[Realm, RealmConfig],
        leeway_seconds: int = 30,
        *,
        jwks_timeout_seconds: float = 5.0,
        jwks_lifespan_seconds: float = 300.0,
    ) -> None:
        if not realms:
            raise ValueError("at least one realm must be configured")
        if leeway_seconds < 0:
            raise ValueError("leeway_seconds must not be negative")
        self._realms: dict[Realm, RealmConfig] = {}
        self._by_issuer: dict[str, Realm] = {}
        for realm, config in realms.items():
            realm = Realm(realm)
            if not isinstance(config, RealmConfig):
                raise TypeError(f"realm {realm}: expected RealmConfig, got {type(config).__name__}")
            if config.issuer in self._by_issuer:
                raise ValueError(f"realms {self._by_issuer[config.issuer]} and {realm} share an issuer")
            self._realms[realm] = config
            self._by_issuer[config.issuer] = realm
        self._leeway = leeway_seconds
        self._jwks_timeout = jwks_timeout_seconds
        self._jwks_lifespan = jwks_lifespan_seconds
        self._clients: dict[Realm, PyJWKClient] = {}
        self._clients_lock = threading.Lock()

    @property
    def realms(self) -> Mapping[Realm, RealmConfig]:
        return dict(self._realms)

    def authenticate(
        self,
        authorization: str | None,
        allowed: Realm | Iterable[Realm],
        roles: Iterable[str] = (),
    ) -> Principal:
        """Verify the ``Authorization`` header value and return the caller.

        ``allowed`` is the realm(s) this operation accepts; ``roles``, when given, are alternatives: the
        caller must hold at least one of them.
        """
        allowed_realms = _as_realms(allowed)
        required_roles = frozenset((roles,) if isinstance(roles, str) else roles)

        token = _bearer_token(authorization)
        realm, claims = self._verify(token)
        principal = _principal(realm, claims)

        if realm not in allowed_realms:
            _log.info("authorization refused: WRONG_REALM (realm=%s)", realm)
            raise Forbidden(
                _WRONG_REALM_MESSAGES.get(frozenset(allowed_realms), "Loại tài khoản này không được phép."),
                code="WRONG_REALM",
                allowed_realms=[str(r) for r in sorted(allowed_realms)],
            )
        if required_roles and not principal.has_role(*required_roles):
            _log.info("authorization refused: ROLE_REQUIRED (realm=%s)", realm)
            raise Forbidden(
                "Tài khoản không có vai trò cần thiết để thực hiện thao tác này.",
                code="ROLE_REQUIRED",
                required_roles=sorted(required_roles),
            )
        return principal

    # -- verification ----------------------------------------------------------------------------------------

    def _verify(self, token: str) -> tuple[Realm, dict[str, Any]]:
        import jwt
        from jwt import exceptions as jwt_errors

        try:
            unverified = jwt.decode_complete(token, options={"verify_signature": False})
        except jwt_errors.PyJWTError as exc:
            _reject("TOKEN_MALFORMED", exc)
        header: dict[str, Any] = unverified["header"]
        payload: dict[str, Any] = unverified["payload"]

        if header.get("alg") != ALGORITHM:
            _reject("UNSUPPORTED_ALGORITHM")
        issuer = payload.get("iss")
        realm = self._by_issuer.get(issuer) if isinstance(issuer, str) else None
        if realm is None:
            _reject("UNKNOWN_ISSUER")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            _reject("UNKNOWN_KEY")

        key = self._signing_key(realm, kid)
        config = self._realms[realm]
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=config.audience,
                issuer=config.issuer,
                leeway=self._leeway,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt_errors.InvalidSignatureError as exc:
            _reject("INVALID_SIGNATURE", exc, realm)
        except jwt_errors.ExpiredSignatureError as exc:
            _reject("TOKEN_EXPIRED", exc, realm)
        except jwt_errors.ImmatureSignatureError as exc:
            _reject("TOKEN_NOT_YET_VALID", exc, realm)
        except jwt_errors.InvalidAudienceError as exc:
            _reject("INVALID_AUDIENCE", exc, realm)
        except jwt_errors.InvalidIssuerError as exc:
            _reject("UNKNOWN_ISSUER", exc, realm)
        except jwt_errors.InvalidAlgorithmError as exc:
            _reject("UNSUPPORTED_ALGORITHM", exc, realm)
        except jwt_errors.InvalidKeyError as exc:
            _reject("UNKNOWN_KEY", exc, realm)
        except jwt_errors.PyJWTError as exc:
            # The structure already decoded above, so what is left is a missing or malformed claim.
            _reject("INVALID_CLAIMS", exc, realm)
        return realm, claims

    def _signing_key(self, realm: Realm, kid: str) -> PyJWK:
        from jwt import exceptions as jwt_errors

        client = self._client(realm)
        try:
            key = client.get_signing_key(kid)
        except jwt_errors.PyJWKClientConnectionError as exc:
            _log.error("JWKS of realm %s unreachable (%s)", realm, type(exc).__name__)
            raise KeySetUnavailable(f"JWKS of realm {realm} is unreachable") from None
        except jwt_errors.PyJWKSetError as exc:
            _log.error("JWKS of realm %s unusable (%s)", realm, type(exc).__name__)
            raise KeySetUnavailable(f"JWKS of realm {realm} holds no usable keys") from None
        except jwt_errors.PyJWKClientError as exc:
            _reject("UNKNOWN_KEY", exc, realm)
        if key.key_type != "RSA":
            _reject("UNKNOWN_KEY", None, realm)
        return key

    def _client(self, realm: Realm) -> PyJWKClient:
        client = self._clients.get(realm)
        if client is None:
            with self._clients_lock:
                client = self._clients.get(realm)
                if client is None:
                    from jwt import PyJWKClient

                    client = PyJWKClient(
                        self._realms[realm].jwks_url,
                        cache_keys=True,
                        cache_jwk_set=True,
                        lifespan=self._jwks_lifespan,
                        timeout=self._jwks_timeout,
                    )
                    self._clients[realm] = client
        return client


# -- helpers -------------------------------------------------------------------------------------------------

_MESSAGES = {
    "UNAUTHENTICATED": "Chưa đăng nhập: cần gửi mã xác thực dạng 'Authorization: Bearer <mã>'.",
    "TOKEN_MALFORMED": "Mã xác thực không đúng định dạng.",
    "UNSUPPORTED_ALGORITHM": "Thuật toán ký của mã xác thực không được chấp nhận.",
    "UNKNOWN_ISSUER": "Mã xác thực không do hệ thống đăng nhập được chấp nhận cấp.",
    "UNKNOWN_KEY": "Không xác định được khóa ký của mã xác thực.",
    "INVALID_SIGNATURE": "Chữ ký của mã xác thực không hợp lệ.",
    "TOKEN_EXPIRED": "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.",
    "TOKEN_NOT_YET_VALID": "Mã xác thực chưa có hiệu lực.",
    "INVALID_AUDIENCE": "Mã xác thực không dành cho hệ thống này.",
    "INVALID_CLAIMS": "Thông tin trong mã xác thực bị thiếu hoặc không hợp lệ.",
}

_WRONG_REALM_MESSAGES = {
    frozenset({Realm.OFFICER}): "Chức năng này chỉ dành cho cán bộ, công chức.",
    frozenset({Realm.CITIZEN}): "Chức năng này chỉ dành cho công dân, tổ chức.",
}


def _reject(code: str, exc: BaseException | None = None, realm: Realm | None = None) -> NoReturn:
    """Raise ``Unauthenticated``; log only the code, the realm and the library's exception type."""
    _log.info(
        "authentication rejected: %s (realm=%s, cause=%s)",
        code,
        realm or "-",
        type(exc).__name__ if exc is not None else "-",
    )
    # ``from None``: the library's exception may quote header values; keep tracebacks free of token material.
    raise Unauthenticated(_MESSAGES[code], code=code) from None


def _bearer_token(authorization: str | None) -> str:
    if not authorization or not isinstance(authorization, str):
        _reject("UNAUTHENTICATED")
    parts = authorization.strip().split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        _reject("UNAUTHENTICATED")
    token = parts[1]
    if len(token) > _MAX_TOKEN_CHARS or token.count(".") != 2:
        _reject("TOKEN_MALFORMED")
    return token


def _as_realms(allowed: Realm | Iterable[Realm]) -> frozenset[Realm]:
    items: Iterable[Any] = (allowed,) if isinstance(allowed, str) else allowed
    realms = frozenset(Realm(item) for item in items)
    if not realms:
        raise ValueError("allowed must name at least one realm")
    return realms


def _principal(realm: Realm, claims: Mapping[str, Any]) -> Principal:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip():
        _reject("INVALID_CLAIMS", None, realm)
    name = _optional_str(claims, "name", realm)
    token_id = _optional_str(claims, "jti", realm)

    if realm is Realm.CITIZEN:
        # Roles, agency, unit and scope from the national SSO are ignored: it cannot grant provincial powers.
        id_number = _optional_str(claims, "id_number", realm)
        if id_number is not None and not _ID_NUMBER.fullmatch(id_number):
            _reject("INVALID_CLAIMS", None, realm)
        return Principal(
            realm=realm,
            subject=subject,
            roles=frozenset({CITIZEN_ROLE}),
            scope=_DEFAULT_SCOPE,
            name=name,
            id_number=id_number,
            eid_level=_eid_level(claims.get("eid_level"), realm),
            token_id=token_id,
        )

    scope = claims.get("scope")
    if scope is None or scope not in SCOPES:
        if scope is not None:
            # Least privilege for values we do not know (e.g. an OAuth "scope" string: "openid profile").
            _log.warning("officer token carries an unrecognised scope claim; using %s", _DEFAULT_SCOPE)
        scope = _DEFAULT_SCOPE
    return Principal(
        realm=realm,
        subject=subject,
        roles=_officer_roles(claims.get("roles"), realm),
        agency=_optional_str(claims, "agency", realm),
        unit=_optional_str(claims, "unit", realm),
        scope=scope,
        name=name,
        token_id=token_id,
    )


def _optional_str(claims: Mapping[str, Any], name: str, realm: Realm) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        _reject("INVALID_CLAIMS", None, realm)
    return value or None


def _officer_roles(value: Any, realm: Realm) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list | tuple) or not all(isinstance(role, str) and role for role in value):
        _reject("INVALID_CLAIMS", None, realm)
    # CITIZEN is the citizen realm's marker; an officer token cannot claim it.
    return frozenset(value) - {CITIZEN_ROLE}


def _eid_level(value: Any, realm: Realm) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        _reject("INVALID_CLAIMS", None, realm)
    return value
