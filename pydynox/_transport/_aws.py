"""One source of AWS configuration per client: botocore's own resolution.

A client builds, once, one botocore DynamoDB client from the session boto3 would use
(``boto3.DEFAULT_SESSION`` when one was set up, else a new session of the client's profile)
and reads from it where requests go and how they are signed: region, endpoint URL (every
setting botocore honours: ``endpoint_url=``, ``AWS_ENDPOINT_URL*``, the config file's
endpoints, FIPS, dual-stack, every partition, account-based endpoints...), signing region and
CA bundle. When the wire transport cannot send exactly as botocore would (an HTTP proxy, a
signing name or scheme it does not speak, headers the endpoint asks for, an instrumented
botocore), the client sends through that botocore client instead and says why in one INFO
line on the ``pydynox`` logger.

Per call, ``Hooks.watching(op)`` tells whether something watches or replaces botocore's
requests for DynamoDB (moto's ``mock_aws``, a ``botocore.stub.Stubber``, handlers on
botocore's events): such calls go through the botocore client, where those hooks see them.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import types
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydynox.exceptions import CredentialsException

if TYPE_CHECKING:
    from pydynox._transport._settings import Settings

__all__ = ["AwsConfig", "Hooks", "Resolved", "config_for", "configured_region"]

_log = logging.getLogger("pydynox")

# The events botocore emits around one DynamoDB call ({op}: the operation's name).
_CALL_EVENTS = (
    "provide-client-params.dynamodb.{op}",
    "before-parameter-build.dynamodb.{op}",
    "before-endpoint-resolution.dynamodb",
    "before-call.dynamodb.{op}",
    "request-created.dynamodb.{op}",
    "choose-signer.dynamodb.{op}",
    "before-sign.dynamodb.{op}",
    "before-send.dynamodb.{op}",
    "response-received.dynamodb.{op}",
    "needs-retry.dynamodb.{op}",
    "after-call.dynamodb.{op}",
    "after-call-error.dynamodb.{op}",
)

# botocore's own handlers that are there because someone asked for them: a test double,
# client-side monitoring (AWS_CSM_ENABLED) and endpoint discovery.
_ASKED_FOR = ("botocore.stub.", "botocore.monitoring.", "botocore.discovery.EndpointDiscovery")

# botocore's errors (by class name: not every botocore version has each) that say the
# credentials cannot be had.
_CREDENTIAL_ERRORS = {
    "ProfileNotFound",
    "NoCredentialsError",
    "PartialCredentialsError",
    "CredentialRetrievalError",
    "TokenRetrievalError",
    "UnauthorizedSSOTokenError",
    "SSOTokenLoadError",
}

# One data loader per data path for the sessions pydynox creates: loading DynamoDB's service
# model and endpoint rules is most of the cost of a botocore client (40 ms -> 7 ms).
_LOADERS: dict[str, Any] = {}


def _handler_name(handler: Any) -> str:
    func = getattr(handler, "func", handler)  # functools.partial
    module = getattr(func, "__module__", None) or type(func).__module__
    name = getattr(func, "__qualname__", None) or type(func).__qualname__
    return f"{module}.{name}"


def _hook(handler: Any) -> str | None:
    """What a handler on a DynamoDB call event is, or None for botocore's own plumbing (and
    moto's stub, which counts only while a mock is active: see ``Hooks.watching``)."""
    name = _handler_name(handler)
    if name.startswith("moto."):
        return None
    if name.startswith("botocore.") and not name.startswith(_ASKED_FOR):
        return None
    return name


class Hooks:
    """Tells, per call and cheaply, whether something watches botocore's DynamoDB calls."""

    def __init__(self, client: Any) -> None:
        self._client = client
        emitter: Any = getattr(client.meta.events, "_emitter", None)
        self._emitter = emitter
        # botocore replaces its lookup cache on every (un)registration: while it is the same
        # object, the handlers are those found last time.
        self._blind = not (hasattr(emitter, "_lookup_cache") and hasattr(emitter, "_handlers"))
        self._seen: tuple[object, dict[str, str | None]] = (None, {})
        self._patched: set[int] = set()
        self._logged: set[str] = set()

    def watching(self, op: str) -> str | None:
        """What watches a call to ``op`` (named for the log), or None."""
        moto = sys.modules.get("moto.core.models")
        stubber = getattr(moto, "botocore_stubber", None)
        if stubber is not None and getattr(stubber, "enabled", False):
            return self._log(self._mocked(stubber))
        if self._blind:
            return self._log("handlers on botocore's events (this botocore cannot be inspected)")
        cache = self._emitter._lookup_cache
        seen_cache, found = self._seen
        if seen_cache is not cache:
            found = {}
            self._seen = (cache, found)
        what = found.get(op, "")
        if what == "":
            what = found[op] = self._scan(op)
        return what if what is None else self._log(what)

    def _scan(self, op: str) -> str | None:
        handlers = self._emitter._handlers
        for event in _CALL_EVENTS:
            for handler in handlers.prefix_search(event.format(op=op)):
                what = _hook(handler)
                if what is not None:
                    return f"a handler on botocore's {event.format(op=op)} event ({what})"
        return None

    def _mocked(self, stubber: Any) -> str:
        # moto hooks botocore through a handler every session gets when it is created after
        # moto was imported; a client made before that import lacks it (moto's patch_client).
        if id(stubber) not in self._patched:
            present = not self._blind and any(
                handler is stubber
                for handler in self._emitter._handlers.prefix_search("before-send.dynamodb.X")
            )
            if not present:
                self._client.meta.events.register("before-send", stubber)
            self._patched.add(id(stubber))
        return "moto's mock_aws is active"

    def _log(self, what: str) -> str:
        if what not in self._logged:
            self._logged.add(what)
            _log.info("DynamoDB calls go through botocore while %s", what)
        return what


@dataclass(frozen=True)
class Resolved:
    """Where a client's requests go and how they are signed, as botocore resolves them."""

    session: Any  # the botocore session: credentials come from it
    client: Any  # the botocore DynamoDB client: the botocore transport sends with it
    hooks: Hooks
    url: str
    signing_region: str
    verify: bool | str
    botocore_only: str | None  # why the wire transport cannot send for this client


def _session(settings: Settings) -> Any:
    """The botocore session boto3 would use: ``boto3.DEFAULT_SESSION``'s when one was set up
    (and no other profile is asked for), else a new session of the profile."""
    boto3 = sys.modules.get("boto3")
    default = getattr(boto3, "DEFAULT_SESSION", None)
    if default is not None and settings.profile in (None, default.profile_name):
        return default._session
    import botocore.session

    session = botocore.session.Session(profile=settings.profile)
    data_path = str(session.get_config_variable("data_path"))
    loader = _LOADERS.get(data_path)
    if loader is None:
        _LOADERS[data_path] = session.get_component("data_loader")
    else:
        session.register_component("data_loader", loader)
    return session


def _client(settings: Settings, session: Any) -> Any:
    from botocore.config import Config

    return session.create_client(
        "dynamodb",
        region_name=settings.region or _region_of(session),
        endpoint_url=settings.endpoint_url,
        verify=settings.verify,
        config=Config(**settings.config_kwargs()),
        aws_access_key_id=settings.access_key,
        aws_secret_access_key=settings.secret_key,
        aws_session_token=settings.session_token,
    )


def configured_region() -> str | None:
    """The region the environment or the AWS config file names, as a client would find it
    with no ``region=`` (no network). A configuration botocore cannot read (a profile that
    does not exist) raises ``CredentialsException``."""
    from botocore.exceptions import BotoCoreError
    from botocore.session import Session

    try:
        return _region_of(Session())
    except BotoCoreError as error:
        raise CredentialsException(f"the AWS configuration cannot be used: {error}") from error


def _region_of(session: Any) -> str | None:
    """The region a botocore session finds (environment, profile, config file), else
    AWS_REGION (the name other AWS SDKs read): never a region other than boto3's."""
    region = session.get_config_variable("region") or os.environ.get("AWS_REGION")
    return str(region) if region else None


def _verify(settings: Settings, session: Any) -> bool | str:
    """The CA bundle botocore verifies with (``True``: its default bundle)."""
    if settings.verify is not None:
        return settings.verify
    bundle = session.get_config_variable("ca_bundle") or os.environ.get("REQUESTS_CA_BUNDLE")
    return str(bundle) if bundle else True


def _instrumented(client: Any) -> bool:
    """Whether botocore's API call is wrapped (OpenTelemetry, ddtrace, X-Ray): the wrapper
    expects to see every call."""
    import inspect

    method = inspect.getattr_static(type(client), "_make_api_call", None)
    return not isinstance(method, types.FunctionType) or not method.__module__.startswith(
        "botocore."
    )


def _resolve(settings: Settings) -> Resolved:
    from botocore.exceptions import BotoCoreError, NoRegionError

    from pydynox._transport._http import no_proxy_for

    try:
        session = _session(settings)
        client = _client(settings, session)
        region = client.meta.region_name
        if not region:
            raise NoRegionError()
        # Where botocore sends a DynamoDB call and how it signs it. Table names are never
        # ARNs in pydynox, so every operation resolves alike.
        model = client.meta.service_model.operation_model("GetItem")
        context: dict[str, Any] = {}
        resolve = getattr(client, "_resolve_endpoint_ruleset", None)
        if resolve is None:  # a botocore without it: botocore sends, wherever it resolves
            url, headers = client.meta.endpoint_url, {}
        else:
            url, headers, _ = resolve(model, {"TableName": "t"}, context)
        verify = _verify(settings, session)
    except NoRegionError as error:
        raise CredentialsException(
            "no AWS region is configured: pass region= to DynamoDBClient or set AWS_REGION"
        ) from error
    except (BotoCoreError, ValueError) as error:
        # ProfileNotFound, NoCredentialsError, CredentialRetrievalError, TokenRetrievalError...
        names = {kind.__name__ for kind in type(error).__mro__}
        if names & _CREDENTIAL_ERRORS:
            raise CredentialsException(f"no usable AWS credentials: {error}") from error
        raise CredentialsException(f"the AWS configuration cannot be used: {error}") from error
    signing = context.get("signing", {})
    signing_region = str(signing.get("region") or region)
    signing_name = signing.get("signing_name") or client.meta.service_model.signing_name
    scheme = (
        context.get("auth_type")
        or client.meta.config.signature_version
        or client.meta.service_model.signature_version
    )
    botocore_only = None
    if not no_proxy_for(url):
        botocore_only = "the endpoint is reached through an HTTP proxy (HTTPS_PROXY...)"
    elif scheme != "v4":
        botocore_only = f"botocore signs with {scheme!r}, not SigV4"
    elif signing_name != "dynamodb":
        botocore_only = f"botocore signs for service {signing_name!r}, not 'dynamodb'"
    elif resolve is None:
        botocore_only = "this botocore does not tell where it sends a call"
    elif headers:
        botocore_only = f"the endpoint asks for headers {sorted(headers)}"
    elif _instrumented(client):
        botocore_only = "botocore's API calls are instrumented (tracing wraps _make_api_call)"
    return Resolved(
        session=session,
        client=client,
        hooks=Hooks(client),
        url=str(url),
        signing_region=signing_region,
        verify=verify,
        botocore_only=botocore_only,
    )


class AwsConfig:
    """The resolution of one client, made once (on first use) and shared by its sync and
    async sides."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self.resolved: Resolved | None = None
        _FORK_AWARE.add(self)

    def resolve(self) -> Resolved:
        """The resolution, made on the first call (it blocks: botocore reads files and may
        fetch credentials)."""
        resolved = self.resolved
        if resolved is None:
            with self._lock:
                resolved = self.resolved
                if resolved is None:
                    resolved = self.resolved = _resolve(self.settings)
                    if resolved.botocore_only and self.settings.transport == "wire":
                        _log.info(
                            "this client sends through botocore, not the wire transport: %s",
                            resolved.botocore_only,
                        )
        return resolved

    def after_fork(self) -> None:
        """In a forked child: resolve again (a new botocore client, no parent's sockets)."""
        self._lock = threading.Lock()
        self.resolved = None


_CONFIGS: weakref.WeakValueDictionary[int, AwsConfig] = weakref.WeakValueDictionary()
_CONFIGS_LOCK = threading.Lock()
_FORK_AWARE: weakref.WeakSet[AwsConfig] = weakref.WeakSet()


def config_for(settings: Settings) -> AwsConfig:
    """The configuration of the client whose settings these are (the very object: the
    transports of one client share it)."""
    with _CONFIGS_LOCK:
        config = _CONFIGS.get(id(settings))
        if config is None or config.settings is not settings:
            config = _CONFIGS[id(settings)] = AwsConfig(settings)
        return config


def _reset_after_fork() -> None:
    global _CONFIGS_LOCK
    _CONFIGS_LOCK = threading.Lock()
    for config in list(_FORK_AWARE):
        config.after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
