"""Twilio API-key credentials (issue 15, a follow-up of issue 5): `api_key_env` names the SK… key's
sid and `api_secret_env` its secret; the account sid still names the account. The official client
against the local provider server, which accepts the account's auth token or that key."""

from __future__ import annotations

import base64

from provider_server import (ACCOUNT_SID, API_KEY_SECRET, API_KEY_SID, cli, provider_server,  # noqa: F401
                             write_workspace)

KEYS = {"TWILIO_API_KEY": API_KEY_SID, "TWILIO_API_SECRET": API_KEY_SECRET, "TWILIO_AUTH_TOKEN": ""}


def with_api_key(config):
    text = config.read_text()
    for channel in ("sms", "whatsapp"):
        text = text.replace(f"  {channel}:\n    provider: twilio\n",
                            f"  {channel}:\n    provider: twilio\n    api_key_env: TWILIO_API_KEY\n"
                            "    api_secret_env: TWILIO_API_SECRET\n")
    config.write_text(text)
    return config


def test_an_api_key_sends_and_is_what_authenticates(provider_server, tmp_path):
    config = with_api_key(write_workspace(tmp_path / "ws", provider_server.url))
    code, doc, _ = cli(config, "run", now="2026-12-01T10:00", env=KEYS)  # step `second`: SMS (no auth token set)
    assert code == 0 and {m["channel"] for m in doc["messages"]} >= {"sms"}, doc
    twilio = provider_server.sent("twilio")
    assert twilio and all(r["path"].startswith(f"/2010-04-01/Accounts/{ACCOUNT_SID}/") for r in twilio)
    users = {base64.b64decode(r["headers"]["Authorization"][6:]).decode().split(":")[0] for r in twilio}
    assert users == {API_KEY_SID}


def test_a_wrong_secret_is_said_with_the_variables_to_check(provider_server, tmp_path):
    config = with_api_key(write_workspace(tmp_path / "ws", provider_server.url))
    code, doc, _ = cli(config, "run", now="2026-12-01T10:00", env={**KEYS, "TWILIO_API_SECRET": "wrong"})
    assert code == 2 and not provider_server.sent("twilio")
    said = " ".join(m.get("error") or "" for m in doc["messages"] + doc.get("not_sent", [])) + str(doc.get("stopped"))
    assert "check TWILIO_API_KEY and TWILIO_API_SECRET" in said, doc


def test_check_names_the_key_variables_when_they_are_missing(tmp_path):
    config = with_api_key(write_workspace(tmp_path / "ws", "http://127.0.0.1:9"))
    code, doc, _ = cli(config, "check", now="2026-12-01T10:00", env={"TWILIO_API_KEY": "", "TWILIO_API_SECRET": ""})
    said = [p["message"] for p in doc["problems"] if p["key"] == "channels.sms"]
    assert "environment variable TWILIO_API_KEY is not set; `run` cannot send sms with twilio until it is" in said
    assert "environment variable TWILIO_API_SECRET is not set; `run` cannot send sms with twilio until it is" in said
