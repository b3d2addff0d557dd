"""The local provider server answers like the real APIs (shapes from tests/fixtures/contracts and the docs)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests

from provider_server import ACCOUNT_SID, API_KEY, AUTH_TOKEN, provider_server  # noqa: F401

HERE = Path(__file__).parent
MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
GOOD_MAIL = {"personalizations": [{"to": [{"email": "a@b.example"}]}], "from": {"email": "s@shop.example"},
             "subject": "Hi", "content": [{"type": "text/plain", "value": "x"}]}


def test_sendgrid_auth_and_validation_errors(provider_server):
    url = provider_server.url + "/v3/mail/send"
    r = requests.post(url, json=GOOD_MAIL, headers={"Authorization": "Bearer nope"}, timeout=5)
    assert r.status_code == 401
    assert r.json() == {"errors": [{"message": "The provided authorization grant is invalid, expired, or revoked",
                                    "field": None, "help": None}]}
    r = requests.post(url, json={"personalizations": []}, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=5)
    assert r.status_code == 400
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"personalizations", "from.email", "subject", "content"} <= fields
    r = requests.post(url, json=GOOD_MAIL, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=5)
    assert r.status_code == 202 and r.content == b"" and r.headers["X-Message-Id"]
    assert [e["respond"] for e in provider_server.requests] == [401, 400, 202]
    assert provider_server.sent("sendgrid") == provider_server.requests[-1:]


def test_twilio_auth_error_shape_and_unknown_message(provider_server):
    r = requests.post(provider_server.url + MESSAGES, data={"To": "+15551234567", "From": "+15557654321", "Body": "x"},
                      auth=(ACCOUNT_SID, "wrong"), timeout=5)
    assert r.status_code == 401
    assert r.json() == {"code": 20003, "message": "Authenticate",
                        "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}
    r = requests.get(provider_server.url + MESSAGES.replace(".json", "/SMnope.json"), auth=(ACCOUNT_SID, AUTH_TOKEN),
                     timeout=5)
    assert r.status_code == 404 and r.json()["code"] == 20404


def test_twilio_create_resource_has_the_contract_fields(provider_server):
    r = requests.post(provider_server.url + MESSAGES, data={"To": "+15551234567", "From": "+15557654321", "Body": "x"},
                      auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5)
    assert r.status_code == 201
    spec = json.loads((Path(__file__).parent / "fixtures" / "contracts" / "twilio_api_v2010.json").read_text())
    fields = set(spec["components"]["schemas"]["api.v2010.account.message"]["properties"])
    body = r.json()
    assert set(body) == fields
    assert body["status"] == "queued" and body["error_code"] is None and body["to"] == "+15551234567"


def test_scripted_responses_are_consumed_in_order_per_recipient(provider_server):
    provider_server.script("+15551234567", {"status": 500, "code": 20500}, {"status": 429, "code": 20429,
                                                                           "headers": {"Retry-After": "1"}})
    statuses = []
    for _ in range(3):
        r = requests.post(provider_server.url + MESSAGES, data={"To": "+15551234567", "From": "+15557654321",
                                                                "Body": "x"}, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5)
        statuses.append((r.status_code, r.json().get("code"), r.headers.get("Retry-After")))
    assert statuses == [(500, 20500, None), (429, 20429, "1"), (201, None, None)]


def test_runs_as_a_separate_process_with_a_script_and_a_log(tmp_path):
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"responses": {"a@b.example": [{"status": 500}]}, "api_key": "SG.k"}))
    log = tmp_path / "log.jsonl"
    proc = subprocess.Popen([sys.executable, str(HERE / "provider_server.py"), "--port", "0", "--script", str(script),
                             "--log", str(log)], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:")
        url = line.split()[-1]
        codes = [requests.post(url + "/v3/mail/send", json=GOOD_MAIL, headers={"Authorization": "Bearer SG.k"},
                               timeout=5).status_code for _ in range(2)]
        assert codes == [500, 202]
    finally:
        proc.terminate()
        proc.wait(5)
    entries = [json.loads(x) for x in log.read_text().splitlines()]
    assert [e["respond"] for e in entries] == [500, 202]
    assert entries[0]["headers"]["Authorization"] == "Bearer SG.k" and entries[0]["to"] == "a@b.example"
