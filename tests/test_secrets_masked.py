"""Never print a secret (issue 14, item 7): a key pasted where the NAME of an environment variable
belongs is echoed back by several problems (the config check, the missing-variable check, the
refusal of `run`); each shows only its first four characters, in human and --json output."""

from __future__ import annotations

import pytest

from collectbot.masking import mask

SENDGRID = "SG.abcdefghijklmnopqrstuv.ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg"
TOKEN = "0123456789abcdef0123456789abcdef"  # a Twilio auth token: 32 hex digits
SID = "AC0123456789abcdef0123456789abcdef"

PASTED = {"channels": {
    "email": {"provider": "sendgrid", "from": "billing@example.com", "api_key_env": SENDGRID},
    "sms": {"provider": "twilio", "from": "+14155550100", "account_sid_env": SID, "auth_token_env": TOKEN},
}}


@pytest.mark.parametrize("args", [("check",), ("run",), ("run", "--dry-run"), ("preview",)])
@pytest.mark.parametrize("as_json", [False, True])
def test_a_pasted_key_is_never_printed(make_workspace, args, as_json):
    ws = make_workspace(config=PASTED)
    result = ws.cli(*args, json=as_json)
    said = result.stdout + result.stderr
    assert result.exit_code in (1, 2), said
    assert "…(hidden)" in said  # the problem is still said
    for secret in (SENDGRID, TOKEN, SID, SENDGRID[:12], TOKEN[:12]):
        assert secret not in said, (args, secret)
    assert not ws.sent()


def test_mask_keeps_ordinary_text():
    # ids that are not keys: a Twilio message SID (SM…), a 31-digit number, a UUID with dashes
    text = "SM0123456789abcdef0123456789abcdef 1234567890123456789012345678901 123e4567-e89b-12d3-a456-426614174000"
    assert mask(text) == text
    assert mask(f"key {SENDGRID}, token {TOKEN}.") == "key SG.a…(hidden), token 0123…(hidden)."
