"""The fast JSON writer must print exactly what json.dumps prints for the same document."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from collectbot import jsondoc
from collectbot.engine.types import Skip


def plain(document) -> str:
    """The reference: the standard library's encoder, as `--json` always wrote documents."""
    return json.dumps(document, separators=(",", ":"), default=jsondoc.default, ensure_ascii=False)


ZONES = [timezone.utc, ZoneInfo("Asia/Kolkata"), ZoneInfo("America/New_York")]
moments = st.builds(lambda minutes, zone: datetime(2026, 11, 23, tzinfo=timezone.utc).astimezone(zone)
                    + timedelta(minutes=minutes), st.integers(-10_000, 10_000), st.sampled_from(ZONES))
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
skips = st.builds(
    Skip,
    invoice_id=st.one_of(st.sampled_from(["INV-1", "INV-2", "A-101"]), texts),
    playbook=st.sampled_from(["standard", "vip", "naïve \"quoted\""]),
    step=st.sampled_from(["day-3", "day-7", "pré"]),
    reason=st.sampled_from(["superseded", "outside_hours", "cap", "no_address"]),
    channel=st.sampled_from([None, "email", "sms"]),
    until=st.one_of(st.none(), moments),
    detail=st.one_of(st.none(), st.just(""), st.sampled_from(["superseded by step 'day-14'"]), texts),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(skips, max_size=30))
def test_skips_json_equals_the_dicts_encoded(items):
    assert str(jsondoc.skips_json(items)) == plain([s.as_dict() for s in items])


@settings(max_examples=100, deadline=None)
@given(st.lists(skips, max_size=30), st.integers(1, 7))
def test_skips_in_many_parts_are_the_same_text(items, chunk):
    """A long skip list is written in parts (`RawParts`, `_CHUNK` skips each): same text, whatever
    the part size and wherever a part ends."""
    saved = jsondoc._CHUNK
    jsondoc._CHUNK = chunk
    try:
        parts = jsondoc.skips_json(items)
    finally:
        jsondoc._CHUNK = saved
    assert len(parts) == max(1, -(-len(items) // chunk))
    assert "".join(parts) == plain([s.as_dict() for s in items])


@settings(max_examples=100, deadline=None)
@given(st.lists(skips, max_size=10), st.lists(st.fixed_dictionaries(
    {"to": texts, "scheduled_at": moments, "amount": st.decimals(allow_nan=False, allow_infinity=False, places=2)}),
    max_size=5))
def test_a_document_with_raw_parts_is_written_as_the_plain_document(items, messages):
    now = datetime(2026, 11, 23, 12, tzinfo=ZoneInfo("Asia/Kolkata"))
    fast = {"command": "preview", "now": now, "messages": messages, "skipped": jsondoc.skips_json(items),
            "summary": {"skipped": len(items)}}
    slow = dict(fast, skipped=[s.as_dict() for s in items])
    out = io.StringIO()
    jsondoc.write(fast, out)
    assert out.getvalue() == jsondoc.dumps(fast) == plain(slow)
    assert json.loads(out.getvalue())["skipped"] == json.loads(plain(slow))["skipped"]


def test_moments_are_written_in_utc_whatever_their_zone():
    india = datetime(2026, 11, 23, 12, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert jsondoc.utc_text(india) == "2026-11-23T06:30:00+00:00"
    assert jsondoc.utc_text(india.astimezone(timezone.utc)) == "2026-11-23T06:30:00+00:00"
    assert plain({"a": Decimal("1.10"), "b": india}) == '{"a":"1.10","b":"2026-11-23T06:30:00+00:00"}'
