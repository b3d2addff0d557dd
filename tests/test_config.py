"""collectbot.yaml and playbook loading: every problem with file, line and key, all at once."""

from __future__ import annotations

import textwrap
from datetime import time
from pathlib import Path

import pytest

from collectbot.config import ConfigError, load_config, read_config

STEP = "  - id: a\n    at: due\n    channel: email\n    template: gentle\n"


def write(tmp_path: Path, config: str, **playbooks: str) -> Path:
    (tmp_path / "playbooks").mkdir(exist_ok=True)
    for name, text in playbooks.items():
        (tmp_path / "playbooks" / f"{name}.yaml").write_text(textwrap.dedent(text))
    path = tmp_path / "collectbot.yaml"
    path.write_text(config)
    return path


d = textwrap.dedent
BASE = d("""\
    business:
      timezone: Asia/Kolkata
      currency: INR
      locale: en_IN
    sources:
      invoices: invoices.csv
    playbooks: [playbooks/*.yaml]
    """)


def problems_of(path: Path) -> list[tuple[str, int | None, str, str, str]]:
    _, problems = read_config(path)
    return [(Path(p.file).name, p.line, p.key, p.message, p.severity) for p in problems]


def test_clean_config_loads_with_business_settings(tmp_path):
    cfg = load_config(write(tmp_path, BASE, p="name: p\nsteps:\n" + STEP))
    assert cfg.business.timezone == "Asia/Kolkata" and cfg.business.currency == "INR"
    assert [pb.name for pb in cfg.playbooks] == ["p"]
    assert cfg.invoice_sources[0].path == tmp_path / "invoices.csv"
    assert cfg.warnings == []


def test_step_key_typo_suggests_the_nearest_key_with_line(tmp_path):
    path = write(tmp_path, BASE, p="""\
        name: p
        steps:
          - id: a
            at: due
            channel: email
            tempalte: gentle
        """)
    found = problems_of(path)
    assert found == [("p.yaml", 6, "steps[0].tempalte",
                      "unknown key 'tempalte' (did you mean 'template'?)", "error")]
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert "p.yaml:6: steps[0].tempalte: unknown key 'tempalte' (did you mean 'template'?)" in str(exc.value)


def test_top_level_typo_and_unknown_key_without_a_close_match(tmp_path):
    path = write(tmp_path, BASE + "limts:\n  per_customer_per_day: 2\nzzz: 1\n", p="name: p\nsteps:\n" + STEP)
    found = problems_of(path)
    assert ("collectbot.yaml", 8, "limts", "unknown key 'limts' (did you mean 'limits'?)", "error") in found
    zzz = [f for f in found if f[2] == "zzz"]
    assert zzz and zzz[0][1] == 10 and "valid keys:" in zzz[0][3]


def test_yaml_syntax_errors_name_the_line(tmp_path):
    path = write(tmp_path, BASE, p="name: p\nsteps:\n  - id: a\n    at: [due\n    channel: email\n")
    found = problems_of(path)
    assert len(found) == 1
    file, line, _, message, _ = found[0]
    assert file == "p.yaml" and line in (4, 5) and "invalid YAML" in message

    bad = write(tmp_path, "business:\n  timezone: Asia/Kolkata\n\tcurrency: INR\n")
    found = problems_of(bad)
    assert found[0][0] == "collectbot.yaml" and found[0][1] == 3 and "invalid YAML" in found[0][3]


def test_bad_at_and_duplicate_step_id_and_first_step_on_previous(tmp_path):
    path = write(tmp_path, BASE, p="""\
        name: p
        steps:
          - id: a
            at: previous+1d
            channel: email
            template: t
          - id: b
            at: due+3days
            channel: sms
            template: t
          - id: a
            at: due+7d
            channel: sms
            template: t
        """)
    found = {(line, key): message for _, line, key, message, _ in problems_of(path)}
    assert "cannot be anchored on `previous`" in found[(4, "steps[0].at")]
    assert "'due+3days' is not ANCHOR[+-N UNIT]" in found[(8, "steps[1].at")]
    assert "step id 'a' is used twice" in found[(11, "steps[2].id")]
    assert len(found) == 3


def test_step_weekdays_under_the_yaml_boolean_key_on(tmp_path):
    # YAML 1.1 reads a bare `on:` key as the boolean true; it must still mean weekdays here.
    cfg = load_config(write(tmp_path, BASE, p="name: p\nsteps:\n" + STEP + "    on: [mon, thu, 15]\n"))
    step = cfg.playbooks[0].steps[0]
    assert step.on_weekdays == (0, 3) and step.on_monthdays == (15,)


def test_secret_looking_values_warn_but_do_not_fail(tmp_path):
    path = write(tmp_path, BASE + d("""\
        channels:
          email:
            provider: outbox
            options:
              token: 0123456789abcdef0123456789abcdef
        """), p="name: p\nsteps:\n" + STEP)
    found = problems_of(path)
    assert found == [("collectbot.yaml", 12, "channels.email.options.token", found[0][3], "warning")]
    assert "looks like a secret" in found[0][3] and "environment variable" in found[0][3]
    cfg = load_config(path)  # warnings never stop loading
    assert len(cfg.warnings) == 1


def test_a_secret_pasted_into_an_env_setting_is_an_error(tmp_path):
    path = write(tmp_path, BASE + d("""\
        channels:
          email:
            provider: sendgrid
            from: billing@example.com
            api_key_env: SG.abcdefghijklmnop.qrstuvwxyzABCDEFGH
        """), p="name: p\nsteps:\n" + STEP)
    found = problems_of(path)
    kinds = {(line, key, severity) for _, line, key, _, severity in found}
    assert (12, "channels.email.api_key_env", "error") in kinds
    assert (12, "channels.email.api_key_env", "warning") in kinds
    assert all("qrstuvwxyz" not in message for *_, message, _ in found)  # the secret is not echoed back


def test_business_settings_accepted_at_top_level_and_business_block_wins(tmp_path):
    top = write(tmp_path, d("""\
        timezone: Europe/Berlin
        currency: EUR
        locale: de_DE
        working_hours: {start: 08:30, end: "17:00", days: [mon, tue]}
        sources: {invoices: i.csv}
        playbooks: [playbooks/*.yaml]
        """), p="name: p\nsteps:\n" + STEP)
    cfg = load_config(top)
    assert (cfg.business.timezone, cfg.business.currency, cfg.business.locale) == ("Europe/Berlin", "EUR", "de_DE")
    assert cfg.business.working_hours.start == time(8, 30)  # unquoted 08:30 (YAML sexagesimal) still works
    assert cfg.business.working_hours.days == (0, 1)

    both = write(tmp_path, "currency: EUR\n" + BASE)
    cfg = load_config(both)
    assert cfg.business.currency == "INR"
    assert [(w.line, w.key) for w in cfg.warnings] == [(1, "currency")]


def test_business_value_errors_name_their_lines(tmp_path):
    path = write(tmp_path, d("""\
        business:
          timezone: Asia/Kolkatta
          currency: RUPEES
          country: NO
          working_hours: {start: "19:00", end: "09:00", days: [mon, funday]}
          holidays: {country: NO}
        sources: {invoices: i.csv}
        playbooks: [playbooks/*.yaml]
        """), p="name: p\nsteps:\n" + STEP)
    found = {key: line for _, line, key, _, _ in problems_of(path)}
    assert found["business.timezone"] == 2
    assert found["business.currency"] == 3
    assert found["business.country"] == 4
    assert found["business.working_hours.days[1]"] == 5
    assert found["business.working_hours"] == 5
    assert found["business.holidays.country"] == 6


def test_every_problem_is_reported_at_once(tmp_path):
    path = write(tmp_path, d("""\
        business: {timezone: Nowhere/City}
        sources: {invoices: i.csv}
        limits: {max_source_age: soon}
        playbooks: [playbooks/*.yaml, playbooks/missing.yaml]
        """), p="name: p\nsteps:\n  - id: a\n    at: due\n    channel: fax\n", q="name: p\nsteps:\n" + STEP)
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    keys = {p.key for p in exc.value.problems}
    assert {"business.timezone", "limits.max_source_age", "steps[0].channel", "name", "playbooks[2]"} <= keys
    assert any("did you mean" not in p.message and "fax" in p.message for p in exc.value.problems)
    assert any("already used" in p.message for p in exc.value.problems)  # duplicate playbook name


def test_no_playbooks_warns(tmp_path):
    path = write(tmp_path, BASE.replace("[playbooks/*.yaml]", "[]"))
    cfg = load_config(path)
    assert cfg.playbooks == [] and [w.key for w in cfg.warnings] == ["playbooks"]


def test_missing_config_file_says_what_to_do(tmp_path):
    config, problems = read_config(tmp_path / "collectbot.yaml")
    assert config is None and "collectbot init" in problems[0].message


def test_a_working_week_with_no_day_is_an_error(tmp_path):
    # `days: []` would leave no moment at which a message may go: every reminder would wait forever
    path = write(tmp_path, d("""\
        business:
          timezone: Asia/Kolkata
          working_hours: {start: "09:00", end: "18:00", days: []}
        sources: {invoices: i.csv}
        playbooks: [playbooks/*.yaml]
        """), p="name: p\nsteps:\n" + STEP)
    found = {key: (line, message) for _, line, key, message, _ in problems_of(path)}
    line, message = found["business.working_hours.days"]
    assert line == 3 and "no working day" in message
