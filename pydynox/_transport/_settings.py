"""Settings: how a client reaches DynamoDB (region, endpoint, credentials, limits, transport).

One frozen ``Settings`` per client, checked when made; both transports (``_transports``) and
botocore's configuration (``_aws``) read it. Secrets are kept out of ``repr``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal

from pydynox._transport._response import DEFAULT_MAX_ANSWER
from pydynox.exceptions import ValidationException

__all__ = ["Settings", "TransportKind"]

TransportKind = Literal["wire", "botocore"]


@dataclass(frozen=True)
class Settings:
    """How to reach DynamoDB. Secrets are kept out of ``repr``."""

    region: str | None = None
    endpoint_url: str | None = None
    profile: str | None = None
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    max_pool_connections: int = 64
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 10
    verify: bool | str | None = None
    transport: TransportKind = "wire"
    call_timeout: float | None = None
    max_answer_bytes: int = DEFAULT_MAX_ANSWER

    def __post_init__(self) -> None:
        if self.transport not in ("wire", "botocore"):
            raise ValidationException(
                f"transport must be 'wire' or 'botocore', not {self.transport!r}"
            )
        if bool(self.access_key) != bool(self.secret_key):
            raise ValidationException(
                "access_key and secret_key must be given together (or neither, to use the "
                "AWS credential chain)"
            )
        if not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise ValidationException(f"max_attempts must be 1 or more, not {self.max_attempts!r}")
        if self.max_pool_connections < 1:
            raise ValidationException(
                f"max_pool_connections must be 1 or more, not {self.max_pool_connections!r}"
            )
        for name in ("connect_timeout", "read_timeout", "call_timeout"):
            value = getattr(self, name)
            if value is None and name == "call_timeout":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValidationException(
                    f"{name} must be a positive number of seconds, not {value!r}"
                )
        limit = self.max_answer_bytes
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1024:
            raise ValidationException(
                f"max_answer_bytes must be a whole number of at least 1024, not {limit!r}"
            )

    def session_kwargs(self) -> dict[str, Any]:
        # botocore reads AWS_DEFAULT_REGION itself; AWS_REGION is the name AWS SDKs share.
        return {
            "region_name": self.region or os.environ.get("AWS_REGION") or None,
            "profile_name": self.profile,
            "aws_access_key_id": self.access_key,
            "aws_secret_access_key": self.secret_key,
            "aws_session_token": self.session_token,
        }

    def client_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if self.endpoint_url is not None:
            kwargs["endpoint_url"] = self.endpoint_url
        if self.verify is not None:
            kwargs["verify"] = self.verify
        return kwargs

    def config_kwargs(self) -> dict[str, Any]:
        # One attempt per request: pydynox's retry rules (_retry) decide about the others.
        return {
            "max_pool_connections": self.max_pool_connections,
            "connect_timeout": self.connect_timeout,
            "read_timeout": self.read_timeout,
            "retries": {"total_max_attempts": 1, "mode": "standard"},
        }
