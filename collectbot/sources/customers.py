"""The optional customers file, and customers made from the invoices themselves.

A customers file may be keyed by id or only by name: its `customer_id` defaults to the same
normalised name the invoices use, so the two join either way.
"""

from __future__ import annotations

from dataclasses import replace
from operator import attrgetter
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..config import SourceSpec
from ..models import Customer, Invoice, RowError
from . import parse
from ..headers import resolve
from .columns import CUSTOMER_FIELDS, CUSTOMER_INDEX, CUSTOMER_SYNONYMS, slug, snake
from .invoices import _blanks, file_mtime, read_source
from .tables import FileProblem

_RESERVED = set(CUSTOMER_FIELDS) | set(Customer.__slots__)


def load_customer_file(spec: SourceSpec, region: str | None) -> tuple[dict[str, Customer], list[RowError], list]:
    """(customers by id, errors, [SourceFile]). A bad row is reported and skipped; a bad phone,
    email or time zone is reported and that value dropped."""
    name = str(spec.path)
    errors: list[RowError] = []
    try:
        table = read_source(spec, CUSTOMER_INDEX, (), ("customer_id", "name"))
        mapping, problems = resolve(table.headers, spec.columns, CUSTOMER_INDEX, CUSTOMER_FIELDS)
        if problems:
            raise FileProblem("; ".join(problems))
        if "customer_id" not in mapping and "name" not in mapping:
            raise FileProblem(f"header row {table.header_row} has no customer_id or name column (looked for: "
                              f"{', '.join(CUSTOMER_SYNONYMS['customer_id'][1:5])}, "
                              f"{', '.join(CUSTOMER_SYNONYMS['name'][:4])}…); map them with `columns:`")
    except FileProblem as exc:
        return {}, [RowError(name, None, None, str(exc), kind="file")], []
    files = [file_mtime(spec.path, "customers")]
    frame = table.frame
    n = len(frame)

    def col(f: str) -> list[str]:
        return list(map(str.strip, frame[mapping[f]].tolist())) if f in mapping else [""] * n

    def checked(f: str, result: tuple[list, dict[int, str]]) -> list:
        values, errs = result
        for i, msg in errs.items():
            errors.append(RowError(name, table.rows[i], mapping[f], msg.replace("the invoice", "the customer")))
        return values

    names = col("name")
    ids = [c or (slug(nm) if nm else "") for c, nm in zip(col("customer_id"), names)]
    email = checked("email", parse.email_column(col("email")))
    phone = checked("phone", parse.phone_column(col("phone"), region))
    whatsapp = checked("whatsapp", parse.phone_column(col("whatsapp"), region))
    zones = col("timezone")
    valid = {z: _valid_zone(z) for z in set(zones) if z}
    for i, z in enumerate(zones):
        if z and not valid[z]:
            errors.append(RowError(name, table.rows[i], mapping["timezone"],
                                   f"unknown time zone {z!r} (use an IANA name like Asia/Kolkata); "
                                   "the business time zone is used"))
            zones[i] = ""
    tier, language, owner = col("tier"), col("language"), col("owner")
    used = set(mapping.values())
    extra_headers = [h for h in table.headers if h not in used and h != "__overflow__"]
    extra_keys = [snake(h) if snake(h) not in _RESERVED else f"source_{snake(h)}" for h in extra_headers]
    extra_cols = [frame[h].tolist() for h in extra_headers]
    extras = [dict(zip(extra_keys, vals)) for vals in zip(*extra_cols)] if extra_cols else [{} for _ in range(n)]

    customers: dict[str, Customer] = {}
    first_row: dict[str, int] = {}
    # A row with an id or a name is not blank; only the others are looked at whole.
    filled = [True] * n
    no_id = _blanks(ids)
    if no_id:
        for i, any_cell in zip(no_id, (frame.iloc[no_id] != "").any(axis=1).tolist()):
            filled[i] = any_cell
    for i, cid in enumerate(ids):
        row = table.rows[i]
        if not filled[i]:
            continue
        if not cid:
            errors.append(RowError(name, row, None, "no customer_id or name: the row is skipped"))
            continue
        if cid in customers:
            errors.append(RowError(name, row, mapping.get("customer_id") or mapping.get("name"),
                                   f"duplicate customer {cid!r} (first on row {first_row[cid]}); this row is ignored"))
            continue
        first_row[cid] = row
        customers[cid] = Customer(cid, names[i] or None, email[i], phone[i], whatsapp[i], tier[i] or None,
                                  zones[i] or None, language[i] or None, owner[i] or None, extras[i])
    for e in errors:
        e.sheet = table.sheet
    return customers, errors, files


def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "America" is a folder of the zone database
        return False
    return True


def derive_customers(invoices: list[Invoice], known: dict[str, Customer]) -> dict[str, Customer]:
    """`known` plus a customer for every invoice customer_id it lacks: the customers-file entry
    with the same normalised name (an export keyed by internal ids, a file keyed by names), else
    one made from the invoices' own name and contacts (the first invoice that has each)."""
    out = dict(known)
    made: dict[str, Customer] = {}
    lacking = set(map(attrgetter("customer_id"), invoices)).difference(out)
    if not lacking:  # the customers file has them all (one C-level pass instead of a loop)
        return out
    for inv in invoices:
        cid = inv.customer_id
        if cid not in lacking or cid in out:
            continue
        by_name = known.get(slug(inv.customer_name)) if inv.customer_name else None
        if by_name is not None:
            out[cid] = replace(by_name, customer_id=cid)
            continue
        c = made.get(cid)
        if c is None:
            made[cid] = Customer(cid, inv.customer_name, inv.email, inv.phone, inv.whatsapp)
            continue
        if c.name is None and inv.customer_name:
            c.name = inv.customer_name
        if c.email is None and inv.email:
            c.email = inv.email
        if c.phone is None and inv.phone:
            c.phone = inv.phone
        if c.whatsapp is None and inv.whatsapp:
            c.whatsapp = inv.whatsapp
    out.update(made)
    return out
