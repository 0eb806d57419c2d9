"""Configuration the client cannot use becomes a NutError, never a bare ValueError/UnicodeError.

The API refuses such values today, but rows stored before that (or written by hand) reach the
poller, which only handles NutError: anything else would kill the server's poll task.
"""

from __future__ import annotations

import pytest

from powerpulse.nut.client import NutClient
from powerpulse.nut.errors import NutAuthError, NutConnectionError
from tests.support.nut_server import NUT_USER, NutServer


@pytest.mark.parametrize("host", ["a..b", "x" * 64 + ".example", "bad\x00host"])
async def test_unencodable_host_is_a_connection_error(host: str) -> None:
    client = NutClient(host, 3493, timeout=2)
    with pytest.raises(NutConnectionError):
        await client.list_ups()
    await client.close()


@pytest.mark.parametrize(("user", "password"), [("ad\nLOGOUT", "x"), (NUT_USER, "pw\nLOGOUT")])
async def test_credential_with_line_break_is_an_auth_error_that_hides_it(
    nut: NutServer, user: str, password: str
) -> None:
    client = NutClient(nut.host, nut.port, username=user, password=password, timeout=2)
    with pytest.raises(NutAuthError) as caught:
        await client.list_ups()
    assert "LOGOUT" not in str(caught.value)
    await client.close()
    # The same client object is not poisoned for good configuration afterwards.
    good = NutClient(nut.host, nut.port, timeout=2)
    assert set(await good.list_ups()) == {"ups1", "ups2"}
    await good.close()
