"""`check` renders every message template once, for a sample invoice (issue 14, item 8): a
template that fails for every invoice (the sandbox refuses `{{ ''.__class__ }}`) is an error that
`run` refuses to start on; one that fails only for the sample (it needs an extra column the sample
lacks) is a warning that says to try it with real data."""

from __future__ import annotations

from conftest import DEFAULT_TEMPLATES

GENTLE = DEFAULT_TEMPLATES["gentle.email.j2"]


def problems(doc):
    return [(p["severity"], p["key"], p["line"], p["message"]) for p in doc["problems"]]


def test_a_template_that_can_never_render_is_an_error_and_run_refuses(make_workspace):
    ws = make_workspace(templates={"gentle.email.j2": GENTLE + "{{ ''.__class__ }}\n"})
    code, doc = ws.json("check")
    assert code == 2
    (p,) = [p for p in problems(doc) if p[1] == "gentle.email.j2"]
    line = GENTLE.count("\n") + 1  # the line appended after the template's own lines
    assert p[:3] == ("error", "gentle.email.j2", line)
    assert p[3].startswith(f"fails when rendered for a sample invoice: template gentle.email.j2, line {line}: ")
    assert "'__class__'" in p[3] and "unsafe" in p[3]
    code, doc = ws.json("run")
    assert code == 2 and doc["refused"].startswith("the configuration is not usable: ") and not ws.sent()


def test_a_template_that_fails_only_for_the_sample_is_a_warning(make_workspace):
    # `discount_days` is an extra column of the real book, not of the sample invoice
    ws = make_workspace(templates={"gentle.email.j2": GENTLE + "Pay within {{ 100 // invoice.discount_days }}.\n"})
    code, doc = ws.json("check")
    (p,) = [p for p in problems(doc) if p[1] == "gentle.email.j2"]
    assert p[0] == "warning" and p[3].endswith("; check it with your own data (`collectbot preview`)")
    assert code == 0  # a warning only: the configuration stays usable


def test_every_message_template_is_rendered_even_one_no_step_uses(make_workspace):
    ws = make_workspace(templates={"spare.sms.j2": "{{ ''.__class__.__mro__ }}"})
    code, doc = ws.json("check")
    assert code == 2 and [p[:2] for p in problems(doc)] == [("error", "spare.sms.j2")]
