"""Hostile image hosts fetched end to end inside a network namespace with no interface up.

Each run is ``unshare -n python -c SCRIPT``: a namespace of its own whose only interface,
``lo``, is down, so even a bug in the address policy cannot reach any network. On top of that
the script replaces ``socket.connect`` with a recorder that refuses, so "refused before any
connection is made" is observed, not inferred. A positive control (a public NAT64 address and
127.0.0.1 with the flag) shows that the recorder does see the connections the policy lets
through. Without ``unshare -n`` (needs root or user namespaces) these tests fail: they are not
skipped, because then the network rules would go untested.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT

SCRIPT = r"""
import fcntl, json, socket, struct, sys
from pathlib import Path

from converter.adapters.epub import fetch
from converter.options import FetchOptions

IFF_UP, SIOCGIFFLAGS = 0x1, 0x8913
probe = socket.socket()
flags = struct.unpack("16sH", fcntl.ioctl(probe.fileno(), SIOCGIFFLAGS, struct.pack("16sH", b"lo", 0))[:18])[1]
probe.close()
interfaces = [name for _, name in socket.if_nameindex()]

attempts = []

def refuse(self, address):
    attempts.append(str(address[0]))
    raise OSError("connect() blocked by the test")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse

urls, allow, cache = json.loads(sys.argv[1]), sys.argv[2] == "allow", Path(sys.argv[3])
options = FetchOptions(cache_dir=cache, allow_private_hosts=allow, timeout=3, retries=0)
report = fetch.fetch_images(urls, options)
print(json.dumps({
    "interfaces": interfaces,
    "lo_up": bool(flags & IFF_UP),
    "failures": report.failures,
    "images": sorted(report.images),
    "attempts": attempts,
}))
"""


def run_isolated(urls: list[str], allow_private: bool, tmp_path: Path) -> dict[str, Any]:
    unshare = shutil.which("unshare")
    assert unshare, "unshare (util-linux) is needed: these tests never touch a real network"
    proc = subprocess.run(
        [unshare, "-n", "--", sys.executable, "-c", SCRIPT, json.dumps(urls),
         "allow" if allow_private else "deny", str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert proc.returncode == 0, f"unshare -n failed (root or user namespaces?):\n{proc.stderr}"
    result: dict[str, Any] = json.loads(proc.stdout)
    assert result["interfaces"] == ["lo"] and result["lo_up"] is False, result
    assert set(result["failures"]) | set(result["images"]) == set(urls)
    return result


# (URL, what the refusal says) without allow_private_hosts.
PRIVATE = [
    ("http://[64:ff9b::7f00:1]/x.jpg", "refused 64:ff9b::7f00:1: 64:ff9b::7f00:1 is a NAT64 address for 127.0.0.1, a loopback address"),
    ("http://[64:ff9b::10.0.0.1]/x.jpg", "NAT64 address for 10.0.0.1, a private address"),
    ("http://[::ffff:127.0.0.1]/", "refused ::ffff:127.0.0.1: ::ffff:7f00:1 is an IPv4-mapped address for 127.0.0.1, a loopback address"),
    ("http://[::ffff:192.168.0.1]:8080/x.jpg", "IPv4-mapped address for 192.168.0.1, a private address"),
    ("http://[::127.0.0.1]/x.jpg", "IPv4-compatible address for 127.0.0.1, not globally routable"),
    ("http://[::ffff:0:10.0.0.1]/x.jpg", "IPv4-translated address for 10.0.0.1, not globally routable"),
    ("http://[64:ff9b:1::8.8.8.8]/x.jpg", "local-use NAT64 address, not globally routable"),
    ("http://[2002:a00:1::1]/x.jpg", "6to4 address for 10.0.0.1, a private address"),
    ("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/x.jpg", "Teredo address, not globally routable"),
    ("http://[fec0::1]/x.jpg", "site-local address"),
    ("http://[fd12:3456::1]/x.jpg", "unique-local address"),
    ("http://[fe80::1]/x.jpg", "link-local address"),
    ("http://[2001:db8::1]/x.jpg", "documentation address"),
    ("http://localhost/x.jpg", "refused localhost: 127.0.0.1 is a loopback address"),  # a DNS answer
    ("http://127.1/x.jpg", "host 127.1 is 127.0.0.1 in another spelling"),
]  # fmt: skip


def test_private_ipv6_forms_are_refused_before_any_connection(tmp_path: Path) -> None:
    result = run_isolated([u for u, _ in PRIVATE], False, tmp_path)
    assert result["attempts"] == [] and result["images"] == []
    for url, why in PRIVATE:
        assert why in result["failures"][url], (url, result["failures"][url])
        assert "allow_private_hosts permits it" in result["failures"][url] or "spelling" in why


# Refused even with allow_private_hosts: the metadata address in every spelling, and the rest.
ALWAYS = [
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254 is a cloud metadata address"),
    ("http://[::ffff:169.254.169.254]/", "IPv4-mapped address for 169.254.169.254, a cloud metadata address"),
    ("http://[64:ff9b::169.254.169.254]/", "NAT64 address for 169.254.169.254, a cloud metadata address"),
    ("http://[64:ff9b:1:a9fe:a9:fe00::]/", "local-use NAT64 address for 169.254.169.254, a cloud metadata address"),
    ("http://[::169.254.169.254]/", "IPv4-compatible address for 169.254.169.254, a cloud metadata address"),
    ("http://[::ffff:0:169.254.169.254]/", "IPv4-translated address for 169.254.169.254, a cloud metadata address"),
    ("http://[2002:a9fe:a9fe::1]/", "6to4 address for 169.254.169.254, a cloud metadata address"),
    ("http://[2001:0:4136:e378:8000:63bf:5601:5601]/", "Teredo address for 169.254.169.254, a cloud metadata address"),
    ("http://2852039166/latest/meta-data/", "host 2852039166 is 169.254.169.254 in another spelling"),
    ("http://0xA9FEA9FE/", "host 0xa9fea9fe is 169.254.169.254 in another spelling"),
    ("http://0251.0376.0251.0376/", "host 0251.0376.0251.0376 is 169.254.169.254 in another spelling"),
    ("http://169.254.43518/", "host 169.254.43518 is 169.254.169.254 in another spelling"),
    ("http://169.254.169.254./", "host 169.254.169.254. is 169.254.169.254 in another spelling"),
    ("http://[ff02::1]/x.jpg", "ff02::1 is a multicast or unspecified address"),
    ("http://[::]/x.jpg", ":: is a multicast or unspecified address"),
    ("http://0.0.0.0/x.jpg", "0.0.0.0 is a multicast or unspecified address"),
]  # fmt: skip


def test_metadata_is_refused_in_every_spelling_even_with_allow_private(tmp_path: Path) -> None:
    result = run_isolated([u for u, _ in ALWAYS], True, tmp_path)
    assert result["attempts"] == [] and result["images"] == []
    for url, why in ALWAYS:
        assert why in result["failures"][url], (url, result["failures"][url])


def test_the_recorder_sees_what_the_policy_lets_through(tmp_path: Path) -> None:
    """The control: public NAT64 (and 6to4, and a mapped public address) pass the policy and
    reach connect(), where the recorder stops them; so an empty record above means something."""
    urls = [
        "http://[64:ff9b::8.8.8.8]/x.jpg",
        "http://[2002:808:808::1]/x.jpg",
        "http://[::ffff:8.8.8.8]/x.jpg",
    ]
    result = run_isolated(urls, False, tmp_path)
    assert sorted(result["attempts"]) == ["2002:808:808::1", "64:ff9b::808:808", "::ffff:8.8.8.8"]
    for url in urls:
        assert result["failures"][url].startswith("cannot connect"), result["failures"][url]


@pytest.mark.parametrize("allow", [False, True])
def test_loopback_passes_only_with_the_flag(tmp_path: Path, allow: bool) -> None:
    url = "http://127.0.0.1:9/x.jpg"
    result = run_isolated([url], allow, tmp_path)
    assert result["attempts"] == (["127.0.0.1"] if allow else [])
    assert result["failures"][url].startswith("cannot connect" if allow else "refused 127.0.0.1")
