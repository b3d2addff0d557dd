"""A time zone that names a folder of the zone database ("America", "Europe") is an unknown
zone like any other (issue 14, item 4): it used to raise IsADirectoryError and stop everyone's
reminders."""

from __future__ import annotations


def test_a_customer_zone_that_is_a_folder_is_reported_and_the_business_zone_used(make_workspace):
    ws = make_workspace(customers=[{"customer_id": "globex", "name": "Globex", "email": "pay@globex.example",
                                    "timezone": "America"}])
    code, doc = ws.json("check")
    assert code == 1
    (err,) = doc["errors"]
    assert err["column"] == "timezone" and "unknown time zone 'America'" in err["message"]
    for args in (("preview",), ("run", "--dry-run"), ("explain", "INV-003")):
        code, doc = ws.json(*args)
        assert code in (0, 1), (args, doc)
    code, doc = ws.json("preview")
    # Globex's day-3 email still goes, in the business zone's working hours (conftest: 10:00 IST)
    assert any(m["customer_id"] == "globex" for m in doc["messages"])


def test_a_business_zone_that_is_a_folder_is_a_config_error(make_workspace):
    ws = make_workspace(config={"business": {"timezone": "Europe"}})
    code, doc = ws.json("check")
    assert code == 2
    (p,) = [p for p in doc["problems"] if p["key"] == "business.timezone"]
    assert "Europe" in p["message"] and p["line"]
