"""Everything `collectbot check` verifies, as data: the configuration, playbooks and templates
(`config.read_config`, `render.compile_problems`), the providers' credential variables, the state
file (`state.describe`), every source row, and how many open invoices each playbook would chase.
The command only prints a `CheckReport` (`commands/check.py`)."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from .config import Config, ConfigProblem, read_config
from .errors import ExitCode
from .models import LoadResult, RowError
from .render import compile_problems
from .state import StateError, describe

FILE_LEVEL = ("file", "config")  # RowError kinds that mean a whole source could not be used


@dataclass
class CheckReport:
    problems: list[ConfigProblem] = field(default_factory=list)  # config, playbook, template (errors + warnings)
    errors: list[RowError] = field(default_factory=list)  # source files and rows
    summary: dict[str, Any] = field(default_factory=dict)
    strict: bool = False

    @property
    def config_errors(self) -> list[ConfigProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[ConfigProblem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def file_errors(self) -> list[RowError]:
        return [e for e in self.errors if e.kind in FILE_LEVEL]

    @property
    def exit_code(self) -> ExitCode:
        if self.config_errors or self.file_errors:
            return ExitCode.BAD_INPUT
        if self.errors:
            return ExitCode.BAD_INPUT if self.strict else ExitCode.PARTIAL
        return ExitCode.OK

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.exit_code == ExitCode.OK,
            "problems": [p.as_dict() for p in self.problems],
            "errors": [e.as_dict() | {"kind": e.kind} for e in self.errors],
            "summary": self.summary,
        }


def run_check(config_path: Path, *, strict: bool = False, environ: Mapping[str, str] | None = None,
              now: Callable[[Config], datetime] | None = None) -> CheckReport:
    """Everything `check` verifies, as data (the command only prints it).

    `now(config)` gives the moment to evaluate `match` conditions at (for the playbook usage
    summary); without it the usage summary is left out."""
    report = CheckReport(strict=strict)
    config, problems = read_config(config_path)
    report.problems.extend(problems)
    if config is None:
        report.summary = {"config": str(config_path), "loaded": False}
        return report
    report.problems.extend(compile_problems(config))
    report.problems.extend(credential_warnings(config, os.environ if environ is None else environ))
    state = None
    try:  # the record of what was sent: a damaged, emptied or swapped one stops every run
        state = describe(Path(config.state_path))
    except StateError as exc:
        report.problems.append(ConfigProblem(str(config.state_path), None, "state", str(exc)))
    result = _load(config, report)
    report.summary = _summary(config, result, report)
    report.summary["state"] = state
    if result is not None and now is not None and not report.config_errors:
        usage, problems = playbook_usage(config, result, now(config))
        report.summary["playbook_usage"] = usage
        report.summary["started_by_events"] = {pb.name: pb.trigger for pb in config.playbooks if pb.trigger}
        report.problems.extend(problems)
        report.summary["warnings"] = len(report.warnings)
    return report


def playbook_usage(config: Config, result: LoadResult, now: datetime) -> tuple[dict[str, int], list[ConfigProblem]]:
    """How many open invoices each playbook would chase (the engine's own choice), plus
    warnings for open invoices no playbook matches and for `match` conditions that fail."""
    from .engine.planner import PlanSession
    from .engine.types import PlanInput
    from .render import Renderer

    open_invoices = [i for i in result.invoices if not i.stopped_by_status and i.balance > 0]
    inp = PlanInput(now=now, config=config, invoices=open_invoices, customers=result.customers,
                    balances={i.invoice_id: i.balance for i in open_invoices}, touches={})
    session = PlanSession(inp, Renderer(config))
    usage: dict[str, int] = {pb.name: 0 for pb in config.playbooks if not pb.trigger}  # events start the others
    unmatched: list[str] = []
    for inv in open_invoices:
        pb = session.choose_playbook(inv, session.customer(inv))
        if pb is None:
            unmatched.append(inv.invoice_id)
        else:
            usage[pb.name] += 1
    problems: list[ConfigProblem] = []
    if unmatched:
        shown = ", ".join(unmatched[:5]) + (f" and {len(unmatched) - 5} more" if len(unmatched) > 5 else "")
        problems.append(ConfigProblem(str(config.path), None, "playbooks", f"{len(unmatched)} open invoice(s) match "
                                      f"no playbook and will get no reminders: {shown}", "warning"))
    for pb in config.playbooks:
        if pb.first_on_previous is not None and usage.get(pb.name):
            problems.append(ConfigProblem(
                pb.file, pb.line_of.get("match"), "match",
                f"{usage[pb.name]} open invoice(s) match {pb.name} directly, but its first step counts from "
                "`previous` — the `goto:` that moves an invoice here — so they will get none of its steps; "
                "give it `match: \"false\"` to take only the invoices moved to it", "warning"))
    failed: dict[str, list[dict]] = defaultdict(list)
    for err in session.plan.errors:
        failed[err.get("playbook") or ""].append(err)
    for pb in config.playbooks:
        if failed.get(pb.name):
            first = failed[pb.name][0]
            problems.append(ConfigProblem(pb.file, pb.line_of.get("match"), "match",
                                          f"could not be evaluated for {len(failed[pb.name])} invoice(s), e.g. "
                                          f"{first['invoice_id']}: {first['message']}", "warning"))
    return usage, problems


def credential_warnings(config: Config, environ: Mapping[str, str]) -> list[ConfigProblem]:
    """A real provider whose credential variable is not set would stop `run`: say so now."""
    out = []
    for name, ch in config.channels.items():
        if not ch.enabled or ch.provider == "outbox":
            continue
        variables = ([ch.api_key_env] if ch.provider == "sendgrid" else
                     [ch.account_sid_env, ch.api_key_env, ch.api_secret_env] if ch.api_key_env else
                     [ch.account_sid_env, ch.auth_token_env])
        for var in filter(None, variables):
            if not environ.get(var):
                out.append(ConfigProblem(str(config.path), None, f"channels.{name}",
                                         f"environment variable {var} is not set; `run` cannot send {name} "
                                         f"with {ch.provider} until it is", "warning"))
    return out


def _load(config: Config, report: CheckReport) -> LoadResult | None:
    try:
        from .sources import load_sources
    except ImportError as exc:  # the sources package is unusable: say so rather than crash
        report.errors.append(RowError(str(config.path), None, None, f"cannot load sources: {exc}", kind="file"))
        return None
    try:
        result = load_sources(config)
    except Exception as exc:  # noqa: BLE001 - one broken reader must not hide the other reports
        report.errors.append(RowError(str(config.path), None, None, f"reading the sources failed: {exc}", kind="file"))
        return None
    report.errors.extend(result.errors)
    return result


def _summary(config: Config, result: LoadResult | None, report: CheckReport) -> dict[str, Any]:
    templates = sorted(p.name for p in Path(config.templates_dir).glob("*.j2")) if config.templates_dir.is_dir() else []
    summary: dict[str, Any] = {
        "config": str(config.path),
        "loaded": True,
        "locale": config.business.locale,
        "timezone": config.business.timezone,
        "playbooks": [pb.name for pb in config.playbooks],
        "steps": sum(len(pb.steps) for pb in config.playbooks),
        "templates": len(templates),
        "sources": [str(s.path) for s in config.invoice_sources + config.customer_sources],
        "config_errors": len(report.config_errors),
        "warnings": len(report.warnings),
        "bad_rows": len([e for e in report.errors if e.kind not in FILE_LEVEL]),
        "file_errors": len(report.file_errors),
    }
    if result is not None:
        open_invoices = [i for i in result.invoices if not i.stopped_by_status]
        outstanding: dict[str, Decimal] = defaultdict(Decimal)
        for inv in open_invoices:
            outstanding[inv.currency] += inv.balance
        summary |= {
            "invoices": len(result.invoices),
            "open_invoices": len(open_invoices),
            "customers": len(result.customers),
            "outstanding": {cur: str(amount) for cur, amount in sorted(outstanding.items())},
            "not_invoices": dict(sorted(result.not_invoices.items())),
            "credits": [{"customer_id": c.customer_id, "currency": c.currency, "amount": str(c.amount),
                         "kind": c.kind, "reference": c.reference, "applied": str(c.applied),
                         "invoice_ids": c.invoice_ids} for c in result.credits],
        }
    return summary
