"""Server-side request forgery (RELIABILITY.md row 17, issue 9 point 5): a site, a sitemap or
feed entry, a redirect or a notification target naming loopback, a private range, the cloud
metadata address, or any of them in disguise (decimal, octal, hex, short IPv4 forms, IPv6-mapped)
is refused before any connection — unless the configuration allows it, all private addresses
(``NEWSMON_ALLOW_PRIVATE=1``) or only those listed. A ``Listener`` the test starts counts the
connections that reach it: there must be none.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import apprise
import pytest
from conftest import ROOT, CliRunner
from crawlproc import article_url, crawl, urls_file
from faultserver import FaultServer, Listener, page, redirect, status
from linkfarm import article, path_of
from twisted.python.failure import Failure

from crawler import crawlstate
from crawler.addresses import (
    AddressRefused,
    Allowance,
    check_host,
    check_url,
    parse_allowance,
)
from crawler.articles import iter_articles
from crawler.database import open_db
from monitor.config import ConfigError, Target
from monitor.configfile import load_config
from monitor.crawling import CrawlError, CrawlOptions, run_crawl
from monitor.notifier import Message, deliver, servers
from monitor.receiver import Receiver

MESSAGE = Message("اختبار", "نص التنبيه", "نص التنبيه")
SECRET = "S3CRET-token-8841"


@pytest.fixture
def canary() -> Iterator[Listener]:
    with Listener(lifetime=120) as listener:
        yield listener


def loopback_forms(port: int) -> list[str]:
    """127.0.0.1 (and 0.0.0.0, which Linux connects to it) written every way a URL allows."""
    hosts = [
        "127.0.0.1",
        "2130706433",  # decimal
        "0x7f000001",  # hex
        "0x7F.0.0.1",
        "0177.0.0.1",  # octal
        "017700000001",
        "0177.0.0.01",
        "127.1",  # short forms
        "127.0.1",
        "0x7f.1",
        "127.0.0.1.",  # trailing dot
        "[::ffff:127.0.0.1]",  # IPv6-mapped
        "[::ffff:7f00:1]",
        "[0:0:0:0:0:ffff:7f00:1]",
        "[::1]",
        "localhost",
        "LOCALHOST.",
        "api.localhost",
        "0.0.0.0",
        "0",
    ]
    return [f"http://{host}:{port}" for host in hosts]


PRIVATE = [
    "http://10.0.0.1",
    "http://172.16.0.1",
    "http://192.168.1.1",
    "http://169.254.169.254/latest/meta-data/",
    "http://2852039166/",  # 169.254.169.254 in decimal
    "http://0xa9fea9fe/",
    "http://[::ffff:169.254.169.254]/",
    "http://[fd00::1]/",
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
    "http://100.64.0.1/",
]


# Sites ---------------------------------------------------------------------------------------


def test_a_private_site_is_refused_before_any_connection(canary: Listener, tmp_path: Path) -> None:
    for site in [*loopback_forms(canary.port), *PRIVATE]:
        with pytest.raises(CrawlError, match="refusing --site") as info:
            run_crawl(CrawlOptions(db_path=tmp_path / "a.db", site=site, allow_private=False))
        assert "NEWSMON_ALLOW_PRIVATE" in str(info.value)
    assert canary.connections == 0
    assert not (tmp_path / "a.db").exists()


@pytest.mark.parametrize("host", ["0x7f.1", "[::ffff:7f00:1]"])
def test_the_spider_refuses_on_its_own(canary: Listener, tmp_path: Path, host: str) -> None:
    """``scrapy crawl`` run directly (no newsmon command to check first) refuses too."""
    run = crawl(f"http://{host}:{canary.port}", tmp_path / "a.db", allow_private="0")
    assert run["status"] == "failed" and "refusing" in run["message"]
    assert "loopback" in run["message"]
    assert canary.connections == 0


def test_an_allow_list_lets_the_site_in_and_nothing_else(canary: Listener, tmp_path: Path) -> None:
    """Only the site's own address and port are allowed. Feed items, sitemap entries and
    redirects pointing at the canary, the metadata address or a loopback name are refused."""
    db = tmp_path / "a.db"
    with FaultServer(lifetime=120) as server:
        private_links = [
            f"{canary.url}/politics/a",
            f"http://2130706433:{canary.port}/politics/b",
            "http://169.254.169.254/latest/meta-data/",
        ]
        items = "".join(
            f"<item><title>خبر {i}</title><link>{link}</link></item>"
            for i, link in enumerate([*private_links, f"https://www.alaraby.co.uk{path_of(1)}"])
        )
        feed = f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
        sitemap = (
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<url><loc>{link}</loc></url>" for link in private_links)
            + "</urlset>"
        )
        server.route("/rss/politics", page(feed.encode(), "application/rss+xml"))
        server.route("/sitemap.xml", page(sitemap.encode(), "application/xml"))
        server.route("/politics", status(404))
        server.route(path_of(1), page(article(1, 10)))
        # On the site by name and port, but a loopback name the allow list does not hold.
        server.route(path_of(2), redirect(f"http://sub.localhost:{server.port}{path_of(3)}"))
        server.route(path_of(3), page(article(3, 10)))
        site = f"http://localhost:{server.port}"
        allowed = f"localhost:{server.port}"
        run = crawl(site, db, "-a", "sections=politics", allow_private=allowed)
        assert run["new"] == 1, run.log[-2000:]
        urls = urls_file(tmp_path, path_of(2))
        again = crawl(site, db, "-a", f"urls={urls}", allow_private=allowed)
        assert server.hits(path_of(3)) == []
    assert again["status"] == "failed"
    state = crawlstate.get_page(open_db(db), article_url(path_of(2)))
    assert state is not None and state.last_error == (
        "AddressRefusedError: refused: sub.localhost (127.0.0.1) is a loopback address"
    )
    assert canary.connections == 0
    assert {s.article.url for s in iter_articles(open_db(db))} == {article_url(path_of(1))}


@pytest.mark.parametrize(
    ("value", "message"),
    [("127.0.0.1:http", "not a port"), ("not a host!", "not an address, network or host name")],
)
def test_a_bad_allow_list_is_one_error_line(
    run_cli: CliRunner, db_path: Path, value: str, message: str
) -> None:
    result = run_cli(
        "crawl", "--site", "http://127.0.0.1:9", "--db", db_path,
        env={"NEWSMON_ALLOW_PRIVATE": value},
    )  # fmt: skip
    assert result.code == 1 and result.err.startswith("Error: NEWSMON_ALLOW_PRIVATE: ")
    assert message in result.err and len(result.err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("value", "url", "allowed"),
    [
        ("192.168.1.20", "http://192.168.1.20:8080/", True),
        ("192.168.1.20:8080", "http://192.168.1.20:8080/", True),
        ("192.168.1.20:8080", "http://192.168.1.20:9090/", False),
        ("10.8.0.0/16", "http://10.8.3.4/", True),
        ("10.8.0.0/16", "http://10.9.3.4/", False),
        ("10.8.0.0/16", "http://[::ffff:10.8.3.4]/", True),
        ("nas.local", "http://nas.local/", True),
        ("0x7f.1:8000", "http://127.0.0.1:8000/", True),  # rules are read like URLs
        ("127.0.0.1:8000", "http://2130706433:8000/", True),
        ("127.0.0.1:8000", "http://localhost:8000/", False),  # localhost may also be ::1
        ("localhost:8000", "http://localhost:8000/", True),
        ("127.0.0.1:8000", "http://169.254.169.254/", False),
        ("1", "http://169.254.169.254/", True),
        ("0", "http://127.0.0.1/", False),
    ],
)
def test_allow_list_rules(value: str, url: str, allowed: bool) -> None:
    names = {"nas.local": ["192.168.7.7"]}
    allowance = parse_allowance(value)
    if allowed:
        check_url(url, allow_private=allowance, resolver=lambda h: names.get(h, []))
    else:
        with pytest.raises(AddressRefused):
            check_url(url, allow_private=allowance, resolver=lambda h: names.get(h, []))
    assert parse_allowance(str(allowance)) == allowance  # NEWSMON_ALLOW_PRIVATE round trip


# DNS rebinding: the connection's own lookup is checked too ----------------------------------


@pytest.mark.parametrize(
    ("allow", "answer", "allowed"),
    [
        ("0", "127.0.0.1", False),
        ("0", "169.254.169.254", False),
        ("0", "10.1.2.3", False),
        ("0", "93.184.216.34", True),
        # A rule with a port: the resolver knows no port, the guard middleware checks it.
        ("127.0.0.1:8080", "127.0.0.1", True),
        ("192.168.0.0/16", "10.1.2.3", False),
        ("1", "127.0.0.1", True),
    ],
    ids=["loopback", "metadata", "private", "public", "allowed-on-a-port", "other-range", "all"],
)
def test_a_name_rebinding_to_a_private_address_is_refused_when_connecting(
    allow: str, answer: str, allowed: bool
) -> None:
    from scrapy.resolver import dnscache
    from scrapy.utils.test import get_crawler
    from twisted.internet.error import DNSLookupError

    from crawler.resolver import GuardedResolver

    name = f"rebind-{answer.replace('.', '-')}.example"
    # What the guard saw when it checked the request before it left:
    check_host(name, resolver=lambda _name: ["93.184.216.34"])
    # ... and what it answers when the download connects (Scrapy's resolver cache is
    # where its lookups land; the answer is put there as a rebinding DNS server would give it).
    dnscache[name] = answer
    try:
        crawler = get_crawler(settings_dict={"NEWSMON_ALLOW_PRIVATE": allow})
        resolver = GuardedResolver.from_crawler(crawler, reactor=None)
        outcome: list[object] = []
        resolver.getHostByName(name).addBoth(outcome.append)
    finally:
        del dnscache[name]
    if allowed:
        assert outcome == [answer]
    else:
        [failure] = outcome
        assert isinstance(failure, Failure) and failure.check(DNSLookupError)
        assert "refused" in str(failure.value) and answer in str(failure.value)


def test_the_crawl_resolves_through_the_guarded_resolver() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "settings", "--get", "TWISTED_DNS_RESOLVER"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""},
    )
    assert result.stdout.strip() == "crawler.resolver.GuardedResolver", result.stderr


# Notification targets ------------------------------------------------------------------------


def private_targets(port: int) -> list[str]:
    """Targets apprise accepts (it rejects some disguises itself: ``0x7f.1``, ``127.1``,
    ``[::ffff:127.0.0.1]``), each naming a server on this machine or a private network."""
    return [
        f"json://127.0.0.1:{port}/hook",
        f"json://user:{SECRET}@2130706433:{port}/hook",
        f"jsons://0x7f000001:{port}/hook",
        f"xml://0.0.0.0:{port}/hook",
        f"json://[::1]:{port}/hook",
        f"form://localhost:{port}/hook?token={SECRET}",
        "json://169.254.169.254/latest/meta-data/",
        "json://10.0.0.5/hook",
        f"ntfy://127.0.0.1:{port}/topic",
        f"gotify://127.0.0.1:{port}/{SECRET}",
        f"apprise://127.0.0.1:{port}/{SECRET}",
        f"mailto://user:{SECRET}@example.com?smtp=127.0.0.1&port={port}",
        f"mmost://2130706433:{port}/{SECRET}",
    ]


def test_a_private_notification_target_is_refused_before_any_connection(
    canary: Listener,
) -> None:
    for url in private_targets(canary.port):
        result = deliver(Target(url), MESSAGE)
        assert not result.ok, url
        assert result.error and result.error.startswith("refused: "), (url, result.error)
        assert "allow_private" in result.error
        assert SECRET not in result.error
    assert canary.connections == 0


def test_notifying_a_private_target_needs_it_allowed_in_the_configuration(
    tmp_path: Path,
) -> None:
    desk, other = Receiver().start(), Receiver().start()
    try:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[[notify.target]]\nurl = "{desk.url("/desk")}"\nallow_private = true\n'
            f'[[notify.target]]\nurl = "{other.url("/other")}"\n',
            encoding="utf-8",
        )
        allowed_one, refused = load_config(config, env={}).targets
        assert deliver(allowed_one, MESSAGE).ok
        assert not deliver(refused, MESSAGE).ok and other.attempts == 0
        # An allow list for the whole configuration: this receiver's port, nothing else.
        listed = load_config(config, env={"NEWSMON_ALLOW_PRIVATE": f"127.0.0.1:{other.port}"})
        assert all(deliver(t, MESSAGE).ok for t in listed.targets)
        assert len(desk.wait_for(2)) == 2 and len(other.wait_for(1)) == 1
    finally:
        desk.close()
        other.close()


def test_a_target_redirecting_elsewhere_is_not_followed(canary: Listener) -> None:
    with FaultServer(lifetime=60) as server:
        server.route("/hook", redirect(f"{canary.url}/stolen", 307))
        allowed = Allowance(rules=parse_allowance(f"127.0.0.1:{server.port}").rules)
        result = deliver(Target(f"json://127.0.0.1:{server.port}/hook", allowance=allowed), MESSAGE)
        assert not result.ok and server.hits("/hook")
    assert canary.connections == 0


def test_only_targets_that_name_their_server_are_checked() -> None:
    def plugin(url: str) -> object:
        return apprise.Apprise.instantiate(url)

    assert servers(plugin("json://127.0.0.1:9/x")) == [("127.0.0.1", 9)]
    assert servers(plugin("jsons://hooks.example.com/x")) == [("hooks.example.com", 443)]
    assert servers(plugin("mailto://u:p@example.com?smtp=10.0.0.2")) == [("10.0.0.2", 25)]
    assert servers(plugin("mailto://u:p@gmail.com"))[0][0] == "smtp.gmail.com"
    # Fixed public services: the "host" in their URLs is a token or an id, never a server.
    assert servers(plugin("tgram://123456789:AAbbccdd/12345")) == []
    assert servers(plugin("discord://2130706433/webhooktoken")) == []
    assert servers(plugin("slack://T1/B1/C1")) == []
    assert servers(plugin("ntfy://topic")) == []  # ntfy.sh


def test_the_bad_allow_list_in_a_file_names_its_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[site]\nallow_private = ["10.0.0.0/8", "oops!"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(config, env={})
    assert str(info.value).startswith(f'{config}:2: key "site.allow_private": not an address')


def test_notify_test_refuses_a_loopback_target_without_permission(
    run_cli: CliRunner, canary: Listener
) -> None:
    target = canary.url.replace("http://", "json://") + "/hook"
    result = run_cli("notify", "--test", env={"NEWSMON_NOTIFY_URLS": target})
    assert result.code == 1 and "refused: 127.0.0.1 is a loopback address" in result.out
    assert canary.connections == 0
