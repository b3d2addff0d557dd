"""The payment event's JSON, written by hand for speed, is exactly what json.dumps writes."""

from __future__ import annotations

import json

from hypothesis import given, settings, strategies as st

from collectbot.reconcile.record import payment_event_json

texts = st.one_of(st.none(), st.text(), st.sampled_from(["INR", "high", "invoice_number", "12.50", 'a"b\\c\n\u20ac']))


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=1, max_value=10**12), st.text(), texts, texts, texts,
       st.lists(st.tuples(st.text(), st.text()), unique_by=lambda kv: kv[0], max_size=5))
def test_payment_event_json_is_json_dumps(payment_id, amount, currency, method, confidence, allocations):
    expected = json.dumps({"payment_id": payment_id, "amount": amount, "currency": currency, "method": method,
                           "confidence": confidence, "allocations": dict(allocations)})
    assert payment_event_json(payment_id, amount, currency, method, confidence, allocations) == expected
