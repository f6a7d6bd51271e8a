"""The probed certificate's expiry comes from curl's certificate chain (CURLOPT_CERTINFO) on the installed
pycurl, and is remembered for the kept-alive connection's next fetch: a TLS upstream with a known certificate,
fetched for real."""

from __future__ import annotations

import datetime
import ssl

import trustme

from launchwatch.exporter.fetch import Fetcher
from launchwatch.plan.model import Source
from tests.hostile import HostileServer, reply


def test_tls_expiry_of_the_served_certificate(tmp_path):
    ca = trustme.CA()
    not_after = datetime.datetime(2031, 5, 17, 12, 0, tzinfo=datetime.UTC)
    leaf = ca.issue_cert("127.0.0.1", not_after=not_after)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    leaf.configure_cert(ctx)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server = HostileServer({"/w": reply(b'{"widgets": 7}')}, ctx)
    try:
        source = Source.model_validate({"name": "s", "url": "/w", "timeout": "5s", "tls": {"ca_file": str(ca_file)},
                                        "probe": {"max_duration": "5s"}})
        fetcher = Fetcher(source, server.url + "/w")
        for _ in range(2):  # the second one on the same connection: no new handshake to read it from
            result = fetcher.fetch(5.0)
            assert result.status_code == 200
            assert result.tls_not_after == not_after.timestamp()
        fetcher.close()
    finally:
        server.stop()
