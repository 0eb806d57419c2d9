"""Sites and tags through the API: a UPS's `site` (its server's) and `tags`, set by an admin, and
the `?site=`/`?tag=` filter of the list, the kiosk and `/metrics`."""

from __future__ import annotations

import orjson
from prometheus_client.parser import text_string_to_metric_families

from powerpulse.api import list_cache, schemas
from powerpulse.api.live_watcher import LiveWatcher
from powerpulse.config import Settings
from powerpulse.db import counters
from powerpulse.db.models import NutServer, UpsSystem
from tests.api.conftest import Account, Client, add_server, add_ups, write_live
from tests.support.nut_server import DEFAULT_VARS

LIVE = {**DEFAULT_VARS, "ups.status": "OL"}


async def _fleet() -> dict[str, UpsSystem]:
    """Two sites and a server without one; tags set as an admin would."""
    paris = await add_server(port=1, site="paris")
    lyon = await add_server(port=2, site="lyon")
    bare = await add_server(port=3)
    fleet = {
        "p1": await add_ups(paris, "p1"),
        "p2": await add_ups(paris, "p2"),
        "l1": await add_ups(lyon, "l1"),
        "n1": await add_ups(bare, "n1"),
    }
    for name, tags in (("p1", ["core", "rack-a"]), ("l1", ["core"]), ("n1", ["lab"])):
        await UpsSystem.filter(id=fleet[name].id).update(tags=tags)
    for ups in fleet.values():
        await write_live(ups, LIVE)
    await counters.bump(counters.CONFIG)
    return fleet


def _names(body: list[dict[str, object]]) -> list[object]:
    return [u["upsName"] for u in body]


async def test_every_ups_answer_carries_its_site_and_tags(client: Client, member: Account) -> None:
    fleet = await _fleet()
    status, listed, _ = await client.get("/api/ups-systems", token=member.token)
    assert status == 200
    schemas.validator(list[schemas.Ups]).validate_python(listed, strict=True)
    shown = {u["upsName"]: (u["site"], u["tags"]) for u in listed}
    assert shown == {
        "p1": ("paris", ["core", "rack-a"]),
        "p2": ("paris", []),
        "l1": ("lyon", ["core"]),
        "n1": (None, ["lab"]),
    }
    one = (await client.get(f"/api/ups-systems/{fleet['p1'].id}", token=member.token))[1]
    assert (one["site"], one["tags"]) == ("paris", ["core", "rack-a"])
    kiosk = (await client.get("/api/ups-systems/kiosk"))[1]
    schemas.validator(list[schemas.KioskUps]).validate_python(kiosk, strict=True)
    assert {u["upsName"]: u["site"] for u in kiosk}["l1"] == "lyon"


async def test_the_lists_filter_by_site_and_tag(client: Client, member: Account) -> None:
    await _fleet()

    async def names(query: str, *, kiosk: bool = False) -> list[object]:
        path = "/api/ups-systems/kiosk" if kiosk else "/api/ups-systems"
        status, body, _ = await client.get(f"{path}?{query}", token=member.token)
        assert status == 200, body
        return _names(body)

    assert await names("site=paris") == ["p1", "p2"]
    assert await names("site=paris,lyon") == ["p1", "p2", "l1"]
    assert await names("tag=core") == ["p1", "l1"]
    assert await names("tag=core,lab") == ["p1", "l1", "n1"]
    assert await names("site=paris&tag=core") == ["p1"]
    assert await names("site=berlin") == []
    assert await names("site=&tag=") == ["p1", "p2", "l1", "n1"]  # empty: no condition
    assert await names("tag=rack-a", kiosk=True) == ["p1"]
    assert await names("site=lyon", kiosk=True) == ["l1"]
    # The unfiltered answers are their own cache entries, untouched by the filtered ones.
    assert await names("") == ["p1", "p2", "l1", "n1"]
    assert await names("", kiosk=True) == ["p1", "p2", "l1", "n1"]


async def test_a_bad_filter_is_a_400_naming_the_parameter(client: Client, member: Account) -> None:
    await _fleet()
    for path in ("/api/ups-systems", "/api/ups-systems/kiosk", "/metrics"):
        for query, field in (("site=a%20b", "site"), ("site=" + "x" * 65, "site"),
                             ("tag=%3Cb%3E", "tag"), ("site=ok&tag=-x", "tag")):  # fmt: skip
            status, err, _ = await client.get(f"{path}?{query}", token=member.token)
            assert (status, err["field"], err["error"]) == (400, field, "validation_error"), path
            assert "Traceback" not in orjson.dumps(err).decode()


async def test_an_admin_sets_and_clears_tags(
    client: Client, admin: Account, member: Account
) -> None:
    server = await add_server(site="paris")
    body = {"nutServerId": server.id, "upsName": "ups1", "tags": [" core ", "rack-a", "core"]}
    status, out, _ = await client.post("/api/ups-systems", json=body, token=admin.token)
    assert status == 201 and (out["site"], out["tags"]) == ("paris", ["core", "rack-a"])
    schemas.validator(schemas.UpsConfig).validate_python(out, strict=True)
    url = f"/api/ups-systems/{out['id']}"
    assert (await client.get("/api/ups-systems?tag=rack-a", token=member.token))[1][0]["id"] == (
        out["id"]
    )
    status, out, _ = await client.put(url, json={"tags": ["lab"]}, token=admin.token)
    assert status == 200 and out["tags"] == ["lab"]
    # The next list shows the change at once, in the filtered views as in the whole one.
    assert (await client.get("/api/ups-systems?tag=rack-a", token=member.token))[1] == []
    assert _names((await client.get("/api/ups-systems?tag=lab", token=member.token))[1]) == ["ups1"]
    status, out, _ = await client.put(url, json={"name": "renamed"}, token=admin.token)
    assert out["tags"] == ["lab"]  # absent keeps them
    for clear in ([], None):
        await client.put(url, json={"tags": ["x"]}, token=admin.token)
        status, out, _ = await client.put(url, json={"tags": clear}, token=admin.token)
        assert status == 200 and out["tags"] == []
    assert (await client.put(url, json={"tags": ["x"]}, token=member.token))[0] == 403


async def test_bad_tags_are_refused_and_change_nothing(client: Client, admin: Account) -> None:
    server = await add_server()
    ups = await add_ups(server, "ups1")
    await UpsSystem.filter(id=ups.id).update(tags=["kept"])
    for bad in ("core", ["a,b"], [""], [5], ["x" * 41], [f"t{i}" for i in range(21)], {"a": 1}):
        status, err, _ = await client.put(
            f"/api/ups-systems/{ups.id}", json={"name": "changed", "tags": bad}, token=admin.token
        )
        assert (status, err["field"]) == (400, "tags"), bad
        body = {"nutServerId": server.id, "upsName": "ups2", "tags": bad}
        status, err, _ = await client.post("/api/ups-systems", json=body, token=admin.token)
        assert (status, err["field"]) == (400, "tags"), bad
    row = await UpsSystem.get(id=ups.id)
    assert (row.name, row.tags) == ("ups1", ["kept"])
    assert await UpsSystem.all().count() == 1


async def test_a_site_change_of_the_server_shows_in_its_ups(
    client: Client, admin: Account, member: Account
) -> None:
    fleet = await _fleet()
    server_id = fleet["n1"].nut_server_id  # type: ignore[attr-defined]
    status, _, _ = await client.put(
        f"/api/nut-servers/{server_id}", json={"site": "berlin"}, token=admin.token
    )
    assert status == 200
    listed = (await client.get("/api/ups-systems?site=berlin", token=member.token))[1]
    assert [(u["upsName"], u["site"]) for u in listed] == [("n1", "berlin")]
    # A change made by another instance (a raw write and the counter it bumps) shows too.
    await NutServer.filter(id=server_id).update(site="rome")
    await counters.bump(counters.CONFIG)
    listed = (await client.get("/api/ups-systems?site=rome", token=member.token))[1]
    assert _names(listed) == ["n1"]


async def test_many_distinct_filters_stay_right_and_bounded(
    client: Client, app: object, member: Account
) -> None:
    await _fleet()
    for i in range(list_cache.MAX_VIEWS + 10):
        listed = (await client.get(f"/api/ups-systems?tag=t{i},core", token=member.token))[1]
        assert _names(listed) == ["p1", "l1"]
    cache = app.ctx.ups_list_cache  # type: ignore[attr-defined]
    assert len(cache._entries) <= list_cache.MAX_VIEWS


async def test_metrics_carry_the_site_and_tags_and_filter_like_the_lists(
    client: Client, member: Account
) -> None:
    fleet = await _fleet()

    def series(text: str, name: str) -> dict[str, dict[str, str]]:
        return {
            s.labels["ups"]: s.labels
            for family in text_string_to_metric_families(text)
            for s in family.samples
            if s.name == name
        }

    text = (await client.get("/metrics"))[1]
    up = series(text, "powerpulse_ups_up")
    assert {u: labels["site"] for u, labels in up.items()} == {
        "p1": "paris", "p2": "paris", "l1": "lyon", "n1": ""
    }  # fmt: skip
    info = series(text, "powerpulse_ups_info")
    assert info["p1"]["tags"] == ",core,rack-a," and info["p2"]["tags"] == ""
    assert up["p1"]["ups_id"] == str(fleet["p1"].id)
    assert set(series((await client.get("/metrics?site=lyon"))[1], "powerpulse_ups_up")) == {"l1"}
    tagged = (await client.get("/metrics?tag=core&site=paris"))[1]
    assert set(series(tagged, "powerpulse_ups_battery_charge_percent")) == {"p1"}


async def test_the_live_stream_sends_the_site_and_tags(db: Settings) -> None:
    fleet = await _fleet()
    watcher = LiveWatcher(poll_interval=0.5)
    await watcher.load()
    for public in (False, True):
        shown = {u["upsName"]: (u["site"], u["tags"]) for u in watcher.snapshot(public=public)}
        assert shown["p1"] == ("paris", ["core", "rack-a"]) and shown["n1"] == (None, ["lab"])
    sub = watcher.subscribe(public=True)
    await UpsSystem.filter(id=fleet["p2"].id).update(tags=["new"])
    await counters.bump(counters.CONFIG)  # what a write through any api instance does
    await watcher.poll_once()
    frames = [sub.queue.get_nowait() for _ in range(sub.queue.qsize())]
    sent = [orjson.loads(f.split("data: ", 1)[1]) for f in frames if f and "event: ups" in f]
    assert [(u["upsName"], u["site"], u["tags"]) for u in sent] == [("p2", "paris", ["new"])]
