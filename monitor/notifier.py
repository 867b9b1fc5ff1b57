"""Delivering one message to one notification target through apprise, and saying how it went.

Each target is sent to on its own, so the outbox can record, retry and de-duplicate per target.
The body format follows the target: markdown where the service renders it, plain text
elsewhere — including e-mail, where apprise turns plain text into HTML line by line, so the
message keeps its line breaks (a markdown body would be re-flowed into paragraphs).

Before anything is sent, the server a target names is checked like a crawled site
(``crawler.addresses``): a target on loopback, a private range, link-local (169.254.169.254)
or any other non-public address is refused — the delivery fails with that reason, no
connection is made — unless the target's allowance covers it (``allow_private`` on the target,
or for the whole configuration). Only targets whose URL names the server are checked: webhooks
(``json://``, ``xml://``, ``form://``), self-hosted services (ntfy, gotify, Mattermost, Matrix,
the apprise API...) and the SMTP server of ``mailto://``; services with a fixed public API
(Telegram, Slack, Discord...) name no server. Redirects are not followed unless every private
address is allowed: a public webhook answering with a redirect to 169.254.169.254 is a failure.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.addresses import AddressRefused, check_host
from monitor.config import Config, ConfigError, Target
from monitor.secrets import Redactor, mask_url

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Message:
    title: str
    text: str  # plain text, line breaks meaningful
    markdown: str
    # The same for every attempt to deliver the same alert (its outbox key): sent as an
    # Idempotency-Key header where the target takes headers, so a receiver can drop a repeat.
    key: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    ok: bool
    error: str | None  # what apprise said went wrong, secrets redacted
    seconds: float


class TargetError(ValueError):
    """A target URL apprise cannot use (unknown service, malformed): one line, URL masked."""


def _plugin(url: str, *, redirects: bool = True) -> Any:
    import apprise

    asset = apprise.AppriseAsset(http_redirects=redirects)
    plugin = apprise.Apprise.instantiate(url, asset=asset, suppress_exceptions=True)
    if not plugin:
        raise TargetError(f"apprise cannot use the target {mask_url(url)}")
    return plugin


def servers(plugin: Any) -> list[tuple[str, int | None]]:
    """The (host, port) pairs a target connects to, where its URL names them."""
    smtp = getattr(plugin, "smtp_host", None)
    if smtp:
        return [(str(smtp), getattr(plugin, "port", None))]
    if getattr(plugin, "mode", None) == "cloud":  # ntfy.sh: the URL's "host" is a topic
        return []
    host = getattr(plugin, "host", None)
    if not host or "host" not in getattr(plugin, "template_tokens", {}):
        return []
    port = getattr(plugin, "port", None) or (443 if getattr(plugin, "secure", False) else 80)
    return [(str(host), int(port))]


def refusal(target: Target, plugin: Any | None = None) -> str | None:
    """Why delivery to ``target`` may not connect, or None (names are resolved here)."""
    plugin = plugin if plugin is not None else _plugin(target.url)
    for host, port in servers(plugin):
        try:
            check_host(host, allow_private=target.allowance, port=port)
        except AddressRefused as exc:
            return (
                f"refused: {exc} (allow it with allow_private on the target,"
                " or NEWSMON_ALLOW_PRIVATE)"
            )
    return None


def check_target(target: Target) -> str:
    """The masked form of a usable target; TargetError for one apprise cannot load."""
    # apprise logs its own complaint too; the TargetError says it once, in our words.
    apprise_log = logging.getLogger("apprise")
    was_disabled, apprise_log.disabled = apprise_log.disabled, True
    try:
        _plugin(target.url)
    finally:
        apprise_log.disabled = was_disabled
    return mask_url(target.url)


def check_config_targets(config: Config) -> None:
    """Every target of ``config`` is one apprise can use, or a ConfigError names where it was
    set (file, line and key; or the environment variable). Run at start-up and on reload, so
    a mistyped URL stops the start instead of failing every alert for days."""
    from monitor.config import ENV_NOTIFY_URLS, located_error

    from_file = [t for t in config.targets if t.origin == "config"]
    for index, target in enumerate(from_file):
        try:
            check_target(target)
        except TargetError as exc:
            raise located_error(config, ("notify", "target", index, "url"), str(exc)) from None
    for target in config.targets:
        if target.origin == "env":
            try:
                check_target(target)
            except TargetError as exc:
                raise ConfigError(f"{ENV_NOTIFY_URLS}: {exc}") from None
    if config.apprise_config:
        try:
            for target in targets_from_apprise_config(config.apprise_config):
                check_target(target)
        except TargetError as exc:
            raise located_error(config, ("notify", "apprise_config"), str(exc)) from None


def deliver(target: Target, message: Message) -> Delivery:
    """Send ``message`` to ``target`` and report apprise's verdict (never raises for a failed
    delivery: a target that is down is an ordinary outcome)."""
    import apprise
    from apprise import NotifyFormat

    redactor = Redactor([target.url])
    started = time.monotonic()
    try:
        plugin = _plugin(target.url, redirects=target.allowance.everything)
    except TargetError as exc:
        return Delivery(False, str(exc), 0.0)
    refused = refusal(target, plugin)
    if refused:
        log.warning("not sending to %s: %s", mask_url(target.url), refused)
        return Delivery(False, redactor.redact(refused), time.monotonic() - started)
    if message.key:
        _add_idempotency_key(target.url, plugin, message.key)
    if _renders_markdown(plugin):
        body, body_format = message.markdown, NotifyFormat.MARKDOWN
    else:
        body, body_format = message.text, NotifyFormat.TEXT
    notifier = apprise.Apprise()
    notifier.add(plugin)
    try:
        result = notifier.notify(body=body, title=message.title, body_format=body_format)
    except Exception as exc:  # a plugin bug must not stop the outbox: record it as a failure
        return Delivery(
            False, redactor.redact(f"{type(exc).__name__}: {exc}"), time.monotonic() - started
        )
    seconds = time.monotonic() - started
    if bool(result):
        return Delivery(True, None, seconds)
    return Delivery(False, redactor.redact(_error_text(result)), seconds)


IDEMPOTENCY_HEADER = "Idempotency-Key"
# The apprise services that send an HTTP request with the headers in the plugin's ``headers``
# dict: the generic webhooks and the Apprise API. (Other plugins have a ``headers`` dict too,
# but some hold e-mail headers there.)
_HEADER_SCHEMES = frozenset(
    {"json", "jsons", "xml", "xmls", "form", "forms", "apprise", "apprises"}
)


def _add_idempotency_key(url: str, plugin: object, key: str) -> None:
    """Send ``key`` as an Idempotency-Key header where apprise lets us; a header the user set
    in the URL (``+Idempotency-Key=…``) is kept."""
    headers = getattr(plugin, "headers", None)
    if url.split("://", 1)[0].lower() in _HEADER_SCHEMES and isinstance(headers, dict):
        headers.setdefault(IDEMPOTENCY_HEADER, key)


def _renders_markdown(plugin: object) -> bool:
    """Markdown for services whose own default is markdown, or HTML services that accept
    markdown (Telegram); plain text for the rest. E-mail (HTML or text) gets plain text: apprise
    then sends it as text, or as HTML line for line, and the line breaks survive."""
    from apprise import NotifyFormat

    resolve = getattr(plugin, "resolve_format", None)
    if resolve is None:
        return getattr(plugin, "notify_format", None) == NotifyFormat.MARKDOWN
    default = resolve(None)
    if default == NotifyFormat.MARKDOWN:
        return True
    return bool(
        default == NotifyFormat.HTML and resolve(NotifyFormat.MARKDOWN) == NotifyFormat.MARKDOWN
    )


def _error_text(result: object) -> str:
    lines = []
    logs = getattr(result, "logs", None)
    if callable(logs):
        for entry in logs():
            level = str(getattr(entry, "level", ""))
            if "WARN" in level.upper() or "ERR" in level.upper() or "CRIT" in level.upper():
                text = str(getattr(entry, "message", "") or entry).strip()
                if text:
                    lines.append(text.split(" - ")[-1])
    status = getattr(getattr(result, "status", None), "name", "FAILURE")
    return "; ".join(dict.fromkeys(lines)) or f"apprise reported {status}"


def targets_from_apprise_config(path: Path) -> list[Target]:
    """The targets of an apprise YAML/TEXT configuration file, with their tags."""
    import apprise

    if not path.exists():
        raise TargetError(f"{path}: no such apprise configuration file")
    config = apprise.AppriseConfig()
    if not config.add(str(path)):
        raise TargetError(f"{path}: apprise cannot read this configuration file")
    out = []
    for plugin in config.services():
        out.append(
            Target(plugin.url(privacy=False), tuple(sorted(plugin.tags)), origin="apprise-config")
        )
    if not out:
        raise TargetError(f"{path}: no notification targets in this apprise configuration")
    return out


def route(targets: Iterable[Target], tags: Iterable[str]) -> list[Target]:
    """The targets an alert with ``tags`` goes to: those sharing a tag with it; an untagged
    alert goes to the untagged (default) targets."""
    wanted = set(tags)
    targets = list(targets)
    if wanted:
        return [t for t in targets if wanted & set(t.tags)]
    return [t for t in targets if not t.tags]
