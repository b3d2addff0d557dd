"""`collectbot check` through the real CLI on real workspaces: exit codes 0 / 1 / 2 and the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collectbot.cli import app

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()


@pytest.fixture
def demo(tmp_path) -> Path:
    result = runner.invoke(app, ["init", str(tmp_path / "demo"), "--now", "2026-11-23T10:00"])
    assert result.exit_code == 0, result.output
    return tmp_path / "demo"


def check(workspace: Path, *args: str):
    result = runner.invoke(app, ["-c", str(workspace / "collectbot.yaml"), "check", *args])
    return result


def check_json(workspace: Path, *args: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["-c", str(workspace / "collectbot.yaml"), "check", "--json", *args])
    return result.exit_code, json.loads(result.stdout)


def test_clean_workspace_exits_0_with_a_summary(demo):
    code, doc = check_json(demo)
    assert code == 0, doc
    assert doc["ok"] is True and doc["problems"] == [] and doc["errors"] == []
    s = doc["summary"]
    assert (s["invoices"], s["open_invoices"], s["customers"]) == (10, 9, 5)
    assert s["playbooks"] == ["vip", "standard"] and s["outstanding"] == {"INR": "409350.00"}
    human = check(demo)
    assert human.exit_code == 0
    assert "10 invoices" in human.output and "₹4,09,350.00" in human.output and "OK" in human.output


def test_bad_rows_only_exit_1_and_strict_exit_2(demo):
    with open(demo / "invoices.csv", "a") as fh:
        fh.write("INV-2001,C001,Patel Fabrics Pvt Ltd,2026-10-01,,100.00,100.00,INR,open,\n")
        fh.write("INV-2002,C001,Patel Fabrics Pvt Ltd,2026-10-01,2026-11-01,lots,,INR,open,\n")
    code, doc = check_json(demo)
    assert code == 1
    assert doc["ok"] is False and doc["problems"] == []
    rows = {(Path(e["file"]).name, e["row"], e["column"]) for e in doc["errors"]}
    assert ("invoices.csv", 12, "due_date") in rows and ("invoices.csv", 13, "amount") in rows
    assert doc["summary"]["invoices"] == 10  # the good rows are still loaded
    assert check(demo, "--strict").exit_code == 2
    human = check(demo)
    assert human.exit_code == 1 and "invoices.csv" in human.output and "due_date" in human.output


def test_playbook_typo_exits_2_naming_file_line_and_key_and_still_reads_sources(demo):
    path = demo / "playbooks" / "standard.yaml"
    path.write_text(path.read_text().replace("    template: firm\n", "    tempalte: firm\n"))
    with open(demo / "invoices.csv", "a") as fh:
        fh.write("INV-2002,C001,Patel Fabrics Pvt Ltd,2026-10-01,2026-11-01,lots,,INR,open,\n")
    code, doc = check_json(demo)
    assert code == 2
    [problem] = doc["problems"]
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "tempalte" in text)
    assert Path(problem["file"]).name == "standard.yaml" and problem["line"] == line
    assert problem["key"] == "steps[2].tempalte" and "did you mean 'template'" in problem["message"]
    assert [e["row"] for e in doc["errors"]] == [12]  # sources are reported in the same pass
    human = check(demo)
    assert human.exit_code == 2
    assert f"standard.yaml:{line}" in human.output and "tempalte" in human.output


def test_broken_and_missing_templates_exit_2(demo):
    (demo / "templates" / "nudge.whatsapp.j2").write_text("Hi {{ customer.name }\n")
    (demo / "templates" / "firm.sms.j2").unlink()
    code, doc = check_json(demo)
    assert code == 2
    found = {(Path(p["file"]).name, p["key"]) for p in doc["problems"]}
    assert ("nudge.whatsapp.j2", "nudge.whatsapp.j2") in found
    assert ("standard.yaml", "steps[2].template") in found
    missing = next(p for p in doc["problems"] if p["key"] == "steps[2].template")
    assert "firm.sms.j2 not found" in missing["message"]


def test_bad_condition_expression_exits_2(demo):
    path = demo / "playbooks" / "vip.yaml"
    path.write_text(path.read_text().replace("match: \"customer.tier == 'vip'\"", "match: \"customer.tier = 'vip'\""))
    code, doc = check_json(demo)
    assert code == 2
    [problem] = doc["problems"]
    assert problem["key"] == "match" and problem["line"] == 5 and "does not compile" in problem["message"]


def test_secret_in_yaml_warns_but_exits_0(demo):
    path = demo / "collectbot.yaml"
    path.write_text(path.read_text().replace("  sms:\n    provider: outbox\n",
                                             "  sms:\n    provider: outbox\n    options:\n"
                                             "      auth_token: 0123456789abcdef0123456789abcdef\n"))
    code, doc = check_json(demo)
    assert code == 0 and doc["ok"] is True
    [warning] = doc["problems"]
    assert warning["severity"] == "warning" and warning["key"] == "channels.sms.options.auth_token"


def test_real_provider_without_its_credential_variable_warns(demo, monkeypatch):
    monkeypatch.delenv("SENDGRID_API_KEY", raising=False)
    path = demo / "collectbot.yaml"
    path.write_text(path.read_text().replace("  email:\n    provider: outbox\n", "  email:\n    provider: sendgrid\n"))
    code, doc = check_json(demo)
    assert code == 0
    assert any("SENDGRID_API_KEY" in p["message"] and p["severity"] == "warning" for p in doc["problems"])


def test_missing_invoice_file_exits_2(demo):
    (demo / "invoices.csv").unlink()
    code, doc = check_json(demo)
    assert code == 2
    assert any(Path(e["file"]).name == "invoices.csv" for e in doc["errors"])


def test_no_config_exits_2(tmp_path):
    code, doc = check_json(tmp_path)
    assert code == 2 and "collectbot init" in doc["problems"][0]["message"]


def test_json_stdout_is_one_document(demo):
    result = runner.invoke(app, ["-c", str(demo), "check", "--json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)  # raises if anything but one JSON document is on stdout
    assert isinstance(doc, dict) and doc["problems"] == [] and doc["errors"] == []
    assert doc["summary"]["invoices"] > 0  # the report of the demo workspace, not an empty shell


def test_example_workspace_checks_clean():
    example = REPO / "examples" / "acme"
    if not (example / "collectbot.yaml").exists():
        pytest.fail("examples/acme is missing")
    from openpyxl import load_workbook

    assert load_workbook(example / "invoices.xlsx", read_only=True).sheetnames[0] == "Read me"  # the decoy
    code, doc = check_json(example)
    assert code == 0, doc
    assert doc["problems"] == [] and doc["errors"] == []
    s = doc["summary"]
    assert (s["invoices"], s["open_invoices"], s["customers"]) == (12, 10, 6)
    assert s["playbook_usage"] == {"pre-due-only": 2, "firm": 4, "gentle-b2b": 4}


def test_playbook_usage_and_unmatched_invoices(demo):
    code, doc = check_json(demo)
    assert doc["summary"]["playbook_usage"] == {"vip": 1, "standard": 8}
    path = demo / "playbooks" / "standard.yaml"
    path.write_text(path.read_text().replace("match: \"customer.tier != 'vip'\"",
                                             "match: \"customer.tier == 'standard' and invoice.balance > 'x'\""))
    code, doc = check_json(demo)
    assert code == 0  # runtime trouble in a condition warns; only a non-compiling one is an error
    assert doc["summary"]["playbook_usage"] == {"vip": 1, "standard": 0}
    warnings = {p["key"]: p for p in doc["problems"]}
    assert "8 open invoice(s) match no playbook" in warnings["playbooks"]["message"]
    assert Path(warnings["match"]["file"]).name == "standard.yaml" and warnings["match"]["line"] == 7
    assert "could not be evaluated for 8 invoice(s)" in warnings["match"]["message"]
