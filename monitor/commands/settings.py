"""``newsmon config show`` and ``newsmon config init``."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

import click

from crawler.addresses import Allowance
from monitor.config import Config, ConfigError, default_config_path
from monitor.configfile import load_config
from monitor.durations import format_duration
from monitor.secrets import mask_url

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The configuration file [default: $NEWSMON_CONFIG, else ~/.config/newsmon/config.toml].",
)


def read_config(config_path: Path | None, **overrides: Any) -> Config:
    try:
        return load_config(config_path, overrides=overrides)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def read_sending_config(config_path: Path | None, **overrides: Any) -> Config:
    """``read_config`` for the commands that send alerts: apprise must also be able to use
    every notification target (a mistyped URL stops the start, naming its line)."""
    from monitor.notifier import check_config_targets

    config = read_config(config_path, **overrides)
    try:
        check_config_targets(config)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    return config


@click.group()
def config() -> None:
    """Show the effective configuration, or write a commented example."""


@config.command()
@config_option
def show(config_path: Path | None) -> None:
    """Print the effective configuration (file < environment < flags) as TOML, with every
    notification URL masked."""
    import tomli_w

    cfg = read_sending_config(config_path)
    for warning in cfg.warnings:
        click.echo(f"warning: {warning}", err=True)
    source = str(cfg.path) if cfg.path else "none (defaults)"
    click.echo(f"# configuration file: {source}")
    click.echo(tomli_w.dumps(as_toml(cfg)), nl=False)


def allowance_toml(allowance: Allowance) -> bool | list[str]:
    """``true``, ``false`` or the list of allowed addresses, as the file writes them."""
    if allowance.everything or not allowance.rules:
        return allowance.everything
    return [rule.text for rule in allowance.rules]


def as_toml(cfg: Config) -> dict[str, Any]:
    d = format_duration
    out: dict[str, Any] = {
        "db": str(cfg.db_path),
        "site": {"base_url": cfg.site, "allow_private": allowance_toml(cfg.allow_private)},
        "crawl": {
            "sections": list(cfg.sections),
            "delay": d(cfg.delay),
            "timeout": d(cfg.timeout),
            "max_duration": d(cfg.max_duration),
        },
        "schedule": {
            "interval": d(cfg.interval),
            "jitter": d(cfg.jitter),
            "misfire_grace": d(cfg.misfire_grace),
        },
        "recheck": {"every": [[d(age), d(every)] for age, every in cfg.recheck]},
        "notify": {
            "expire_after": d(cfg.expire_after),
            "max_backoff": d(cfg.max_backoff),
            "retry_every": d(cfg.retry_every),
        },
        "health": {
            "fetch_failures": cfg.fetch_failures,
            "extraction_failures": cfg.extraction_failures,
            "silence": d(cfg.silence),
            "tag": cfg.health_tag,
        },
    }
    if cfg.timezone:
        out["notify"]["timezone"] = cfg.timezone
    if cfg.apprise_config:
        out["notify"]["apprise_config"] = str(cfg.apprise_config)
    targets = []
    for t in cfg.targets:
        target: dict[str, Any] = {"url": mask_url(t.url), "tags": list(t.tags), "from": t.origin}
        if t.digest:
            target["digest"] = d(t.digest)
        if t.allowance.everything or t.allowance.rules:
            target["allow_private"] = allowance_toml(t.allowance)
        if t.quiet_hours:
            start, end = t.quiet_hours
            target["quiet_hours"] = f"{start:%H:%M}-{end:%H:%M}"
        targets.append(target)
    if targets:
        out["notify"]["target"] = targets
    sources = []
    for s in cfg.sources:
        src: dict[str, Any] = {"name": s.name, "sections": list(s.sections)}
        if s.interval:
            src["interval"] = d(s.interval)
        if s.cron:
            src["cron"] = s.cron
        sources.append(src)
    if sources:
        out["source"] = sources
    return out


@config.command()
@config_option
@click.option("--force", is_flag=True, help="Replace an existing file.")
def init(config_path: Path | None, force: bool) -> None:
    """Write a commented example configuration, readable by its owner only."""
    path = config_path or (
        Path(os.environ["NEWSMON_CONFIG"]).expanduser()
        if os.environ.get("NEWSMON_CONFIG")
        else default_config_path()
    )
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists already (--force replaces it)")
    text = resources.files("monitor").joinpath("config.example.toml").read_text(encoding="utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created with mode 0600 from the start: target URLs hold secrets.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o600)
    click.echo(f"wrote {path} (readable by you only); edit it, then: newsmon config show")


COMMANDS = [config]
