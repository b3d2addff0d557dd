"""Match incoming money (bank lines) to open invoices — a pure function, no I/O, no clock.

Why it is shaped like this: a small business's bank statement is noisy. The invoice number
is the strongest evidence but sits among UTRs, account and cheque numbers, dates and amounts;
the payer's name is spelled by the bank (`BANSAL AND SONS` for `Bansal & Sons Pvt Ltd`);
customers pay several invoices at once or part of one. So, per SPEC 7, in order of confidence:

(a) an invoice number found as a whole token in the reference / description / invoice hint
    → high, applied;
(b) payer name ~ customer name AND the exact amount of one open balance or of a subset of that
    customer's open balances (oldest first) → high, applied;
(c) payer name alone, or amount alone equal to exactly one open balance → a suggestion
    for review (medium / low), never applied.

Everything is indexed (invoice-number tokens, amounts, customer-name words) so one line costs
O(tokens in the line + a few candidates), not O(invoices). Lines are matched in file order and
each confident match lowers the working balance, so a later line of the same file sees what
earlier lines already paid.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from itertools import chain
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from rapidfuzz import fuzz, process

from ..gcpause import gc_paused
from ..models import STOP_STATUSES, BankLine, Customer, Invoice

ZERO = Decimal("0")

# Words a bank or payer writes just before an invoice number.
INVOICE_PREFIXES = frozenset({"INV", "INVOICE", "INVOICES", "INVNO", "BILL", "BILLNO", "NO", "NR", "NUM", "NUMBER",
                              "REF", "RE", "FACTURA", "RECHNUNG", "RG", "FACTUUR", "FAC", "FACT"})
# Words after which a number is something else: cheque, UTR, account numbers.
BLOCKING_WORDS = frozenset({"CHQ", "CHEQUE", "CHECK", "CQ", "UTR", "RRN", "IMPS", "UPI", "AC", "ACC", "ACCT",
                            "ACCOUNT", "IBAN", "BIC", "SWIFT", "IFSC", "TXN", "TRN", "MOB", "PH", "TEL"})
# Digit runs this long are bank references (UTR, account numbers, IBAN bodies): never zero-stripped,
# so `000000000042` can never be read as invoice 42.
LONG_DIGITS = 9
# A purely numeric invoice core shorter than this needs an invoice-ish prefix (`INV 42`, `#42`)
# or must be the whole reference.
SHORT_NUMERIC = 5

NAME_THRESHOLD = 85  # rapidfuzz score (0-100) for payer ~ customer
AMOUNT_NAME_THRESHOLD = 80  # ... when that customer is owed exactly the amount paid
STRONG_NAME = 92
SUBSET_LIMIT = 15  # open invoices of one customer considered for a subset sum (oldest first)
SUBSET_MAX = 5  # invoices settled by one payment without any invoice number
SUBSET_BUDGET = 2_000  # search nodes per line: keeps a customer with many open invoices cheap

_SEGMENT_RE = re.compile(r"[A-Za-z]+|\d+")
_PIECE_RE = re.compile(r"([A-Za-z]+|\d+)([^A-Za-z0-9]*)")
_SIMPLE_ID_RE = re.compile(r"^([A-Za-z]+)[-/ #.]?(\d+)$")
_LEGAL_WORDS = frozenset({
    "pvt", "private", "ltd", "limited", "llc", "llp", "inc", "incorporated", "corp", "corporation", "co",
    "company", "gmbh", "ag", "kg", "bv", "nv", "sa", "sarl", "srl", "plc", "pty", "ms", "mr", "mrs", "the", "and",
    "of",
})


# ---------------------------------------------------------------------------- results


@dataclass
class LineMatch:
    """The verdict on one bank line: which invoices, how much each, and how sure."""

    line: BankLine
    position: int  # index of the line in the list given to match_lines
    invoice_ids: list[str] = field(default_factory=list)
    allocations: dict[str, Decimal] = field(default_factory=dict)  # invoice_id -> amount
    confidence: str | None = None  # high | medium | low (None when unmatched)
    method: str | None = None  # invoice_number | payer_amount | payer | amount
    applied: bool = False
    customer_id: str | None = None
    excess: Decimal = ZERO  # overpayment: money beyond the balances of the invoices it names (a customer credit)
    reason: str = ""  # why it is in review / unmatched, for people

    def as_dict(self) -> dict[str, Any]:
        ln = self.line
        return {
            "transaction_id": ln.transaction_id,
            "date": ln.date.isoformat(),
            "amount": str(ln.amount),
            "currency": ln.currency,
            "description": ln.description,
            "payer": ln.payer,
            "reference": ln.reference,
            "file": ln.file,
            "row": ln.row,
            "invoice_ids": list(self.invoice_ids),
            "allocations": {k: str(v) for k, v in self.allocations.items()},
            "confidence": self.confidence,
            "method": self.method,
            "applied": self.applied,
            "customer_id": self.customer_id,
            "credit": str(self.excess) if self.excess else None,
            "reason": self.reason or None,
        }


@dataclass
class MatchResult:
    matches: list[LineMatch] = field(default_factory=list)  # confident: applied
    review: list[LineMatch] = field(default_factory=list)  # doubtful suggestions
    unmatched: list[LineMatch] = field(default_factory=list)  # credits nothing fits
    ignored_debits: int = 0  # money out (and zero lines): never matched
    balances: dict[str, Decimal] = field(default_factory=dict)  # working balances after the applied matches

    def all(self) -> list[LineMatch]:
        return sorted(self.matches + self.review + self.unmatched, key=lambda m: m.position)


# ---------------------------------------------------------------------------- invoice-number tokens


def _segments(text: str) -> list[tuple[str, int, int]]:
    """Letter runs and digit runs of `text` with their spans, letters upper-cased."""
    return [(m.group().upper(), m.start(), m.end()) for m in _SEGMENT_RE.finditer(text)]


def _norm_segment(seg: str) -> str:
    if seg.isdigit() and len(seg) < LONG_DIGITS:
        return seg.lstrip("0") or "0"
    return seg


def invoice_core(invoice_id: str) -> tuple[str, bool] | None:
    """The normalised key of an invoice number and whether it is purely numeric.

    `INV-0042` -> ("42", True); `A-101`, `a101` -> ("A|101", False); `2024/117` -> ("2024|117", True).
    Leading invoice-ish words are dropped so `INV-42` and `Invoice No. 42` meet on the same key.
    """
    simple = _SIMPLE_ID_RE.match(invoice_id)
    if simple:  # the common `INV-0042` / `A101` shape, without the general tokenizer
        letters, digits = simple.group(1).upper(), simple.group(2)
        if letters in INVOICE_PREFIXES:
            return _norm_segment(digits), True
        return f"{letters}|{_norm_segment(digits)}", False
    segs = [s for s, _, _ in _segments(invoice_id)]
    while len(segs) > 1 and segs[0] in INVOICE_PREFIXES:
        segs = segs[1:]
    if not segs:
        return None
    return "|".join(_norm_segment(s) for s in segs), all(s.isdigit() for s in segs)


def _looks_like_date(digits: str) -> bool:
    def ok(y: int, m: int, d: int) -> bool:
        try:
            date(y, m, d)
            return True
        except ValueError:
            return False

    if len(digits) == 8:
        return ok(int(digits[:4]), int(digits[4:6]), int(digits[6:])) or ok(
            int(digits[4:]), int(digits[2:4]), int(digits[:2])) or ok(int(digits[4:]), int(digits[:2]), int(digits[2:4]))
    if len(digits) == 6:
        return ok(2000 + int(digits[4:]), int(digits[2:4]), int(digits[:2])) or ok(
            2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
    return False


class InvoiceIndex:
    """Open invoices indexed by number key, by exact remaining amount and by customer."""

    def __init__(self, invoices: list[Invoice], balances: dict[str, Decimal]):
        self.by_id: dict[str, Invoice] = {}
        self.by_key: dict[str, list[str]] = defaultdict(list)
        self.numeric: dict[str, bool] = {}
        self.by_customer: dict[tuple[str, str], list[str]] = defaultdict(list)  # (customer, currency) -> ids
        self.by_amount: dict[tuple[str, Decimal], set[str]] = defaultdict(set)
        self.remaining: dict[str, Decimal] = {}
        self.first_segments: set[str] = set()  # cheap pre-filter: where in a text a key may start
        self.max_run = 1  # segments in the longest key: runs longer than that cannot match
        by_id, remaining, by_key, numeric = self.by_id, self.remaining, self.by_key, self.numeric
        by_customer, by_amount, first = self.by_customer, self.by_amount, self.first_segments
        for inv in sorted(invoices, key=_age_key):
            iid = inv.invoice_id
            if iid in by_id or inv.status in STOP_STATUSES:
                continue
            left = balances.get(iid, inv.balance)
            if left <= 0:
                continue
            by_id[iid] = inv
            remaining[iid] = left
            core = invoice_core(iid)
            if core:
                key = core[0]
                by_key[key].append(iid)
                numeric[key] = core[1]
                if "|" in key:
                    parts = key.split("|")
                    first.add(parts[0])
                    self.max_run = max(self.max_run, len(parts))
                else:
                    first.add(key)
            by_customer[(inv.customer_id, inv.currency)].append(iid)
            by_amount[(inv.currency, left)].add(iid)

    def pay(self, invoice_id: str, amount: Decimal) -> None:
        inv = self.by_id[invoice_id]
        before = self.remaining[invoice_id]
        self.by_amount[(inv.currency, before)].discard(invoice_id)
        after = before - amount
        self.remaining[invoice_id] = after
        if after > 0:
            self.by_amount[(inv.currency, after)].add(invoice_id)
        else:  # settled: `by_customer` keeps open invoices only, so `open_of` need not filter
            self.by_customer[(inv.customer_id, inv.currency)].remove(invoice_id)

    def open_of(self, customer_id: str, currency: str) -> list[str]:
        """The customer's invoices in `currency` that still have a balance, oldest first."""
        return list(self.by_customer.get((customer_id, currency), ()))

    def find_numbers(self, line: BankLine) -> list[str]:
        """Invoice ids named in the line, in order of appearance (deduplicated)."""
        found: list[str] = []
        for text, whole in _texts(line):
            for invoice_id in self._scan(text, whole, line.amount):
                if invoice_id not in found:
                    found.append(invoice_id)
        return found

    def _scan(self, text: str, whole: bool, amount: Decimal) -> list[str]:
        if text.isascii():  # the usual text: upper-casing it first changes its letters only, not the pieces
            pieces = _PIECE_RE.findall(text.upper())  # [(segment, separator after it)], one C-level pass
            segs = [p[0] for p in pieces]
        else:  # `ß`.upper() is `SS`: other scripts are split first, as they were written
            pieces = _PIECE_RE.findall(text)
            segs = [p[0].upper() for p in pieces]
        if not pieces:
            return []
        norm = [x.lstrip("0") or "0" if x.isdigit() and len(x) < LONG_DIGITS else x for x in segs]
        first, by_key = self.first_segments, self.by_key
        if first.isdisjoint(norm):
            return []  # most texts: no segment can start an invoice number
        glued = [not p[1] for p in pieces]  # True: the next segment touches this one (`A101B`)
        hits: list[str] = []
        n = len(segs)
        last_end = -1  # where the previous invoice number found in this text ended
        i = 0
        while i < n:
            if norm[i] not in first or (i > 0 and glued[i - 1] and segs[i - 1] not in INVOICE_PREFIXES):
                i += 1  # no key starts with this, or it starts inside a word (`XA101`)
                continue
            matched_to = None
            for j in range(min(n, i + self.max_run), i, -1):  # longest run first
                if j < n and glued[j - 1]:
                    continue  # run would end inside a word (`A101B`)
                key = "|".join(norm[i:j])
                ids = by_key.get(key)
                if not ids:
                    continue
                if self.numeric[key] and not (_listed(pieces, segs, last_end, i)
                                              or _numeric_ok(segs, norm, i, j, whole, amount)):
                    continue
                if len(ids) > 1 and i > 0:  # INV-42 and BILL-42 both open: the word before decides
                    ids = [x for x in ids if _segments(x)[0][0] == segs[i - 1]]
                if len(ids) == 1:
                    hits.append(ids[0])
                    matched_to = last_end = j
                    break
            i = matched_to or i + 1
        return hits


def _listed(pieces: list[tuple[str, str]], segs: list[str], last_end: int, i: int) -> bool:
    """`INV 42, 43 & 44`: a number right after an invoice number, joined by `,` `&` `/` `+` or `and`,
    is an invoice number too."""
    if last_end < 0:
        return False
    if i == last_end:
        return pieces[i - 1][1].strip() in (",", "&", "/", "+", ";")
    return i == last_end + 1 and segs[last_end] == "AND" and pieces[last_end - 1][1].strip() == ""


def _numeric_ok(segs: list[str], norm: list[str], i: int, j: int, whole: bool, amount: Decimal) -> bool:
    """A purely numeric invoice key found in text: is it really an invoice number?

    Yes after an invoice-ish word (`INV 42`, `#42`, `No. 42`) or when it is the whole reference.
    Otherwise only a longish number (5-8 digits, leading zeros not counted) that does not follow
    a cheque/UTR/account word and is neither a date nor the line's own amount.
    """
    if whole and i == 0 and j == len(segs):
        return True
    prev = segs[i - 1] if i > 0 else None
    if prev in INVOICE_PREFIXES:
        return True
    if prev in BLOCKING_WORDS or (prev == "C" and i > 1 and segs[i - 2] == "A"):  # A/C 1234
        return False
    raw = "".join(segs[i:j])
    # short counts the digits that make the number (`00000042` is 42: two digits, not eight)
    if len("".join(norm[i:j])) < SHORT_NUMERIC or len(raw) >= LONG_DIGITS:
        return False
    if j - i == 1:
        amount_digits = {str(int(abs(amount))), f"{abs(amount):f}".replace(".", "")}
        if _looks_like_date(raw) or norm[i] in amount_digits:
            return False
    return True


def _texts(line: BankLine) -> list[tuple[str, bool]]:
    """The texts to search, each flagged `whole` when it may be the bare invoice number by itself."""
    out: list[tuple[str, bool]] = []
    for text, whole in ((line.invoice_hint, True), (line.reference, True), (line.description, False)):
        if text:
            out.append((text.replace("#", " NO "), whole))
    return out


def _age_key(inv: Invoice) -> tuple:
    return (inv.due_date, inv.issue_date or inv.due_date, inv.invoice_id)


# ---------------------------------------------------------------------------- names


def normalize_name(name: str | None) -> str:
    """`M/S Bansal & Sons Pvt. Ltd.` -> `bansal sons`: the words that tell businesses apart."""
    return _normalize_words(_name_words(name))


def light_name(name: str | None) -> str:
    """`M/S Bansal & Sons Pvt. Ltd.` -> `bansal and sons pvt ltd`: only case and punctuation dropped,
    to tell apart `Rao Traders LLP` and `Rao Traders & Co` when their core names are equal."""
    return _light_words(_name_words(name))


def name_forms(name: str | None) -> tuple[str, str]:
    """(normalize_name, light_name) of `name`, splitting it into words once for both."""
    words = _name_words(name)
    return _normalize_words(words), _light_words(words)


def _normalize_words(words: list[str]) -> str:
    return " ".join(w for w in words if w not in _LEGAL_WORDS)


def _light_words(words: list[str]) -> str:
    return " ".join(w for w in words if w != "ms")


_NAME_WORD_RE = re.compile(r"[a-z0-9]+")


def _name_words(name: str | None) -> list[str]:
    if not name:
        return []
    return _NAME_WORD_RE.findall(name.lower().replace("&", " and ").replace("m/s", " "))


def name_score(a: str, b: str) -> float:
    """Similarity of two normalised names (0-100).

    The mean of token-set (tolerates extra or missing words: `joshi furnishings` ~ `joshi
    furnishings sons`) and the better of plain and token-sort ratio (whole-name likeness, so a lone
    common word such as `sons` does not count as the whole name, and a typo that reorders sorted
    words does not sink the score).
    """
    if not a or not b:
        return 0.0
    return (fuzz.token_set_ratio(a, b) + max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))) / 2


class CustomerIndex:
    """Customers by normalised name: exact, by pairs of word stems (for fuzzy candidates), by word.

    Pairs of 4-letter word stems (`bans+stee`) are what two spellings of one business still
    share after a typo or a dropped `& Sons`, and few customers share a pair, so the fuzzy
    scorer only ever looks at a handful of names, however large the customer list.
    """

    MAX_POSTING = 500  # a word shared by more customers than this is not used to find candidates
    FALLBACK = 100  # candidates taken from the rarest single word when no word pair is shared
    TOP = 40  # at most this many candidates from shared word-stem pairs

    def __init__(self, customers: dict[str, Customer], invoices: list[Invoice]):
        self.names: dict[str, str] = {}
        self.light: dict[str, str] = {}
        self.display: dict[str, str] = {}  # the name as written, for messages
        named = {cid for cid, cust in customers.items() if cust.name}  # the customers file's names win
        for inv in invoices:
            if inv.customer_name and inv.customer_id not in self.names and inv.customer_id not in named:
                self.names[inv.customer_id], self.light[inv.customer_id] = name_forms(inv.customer_name)
                self.display[inv.customer_id] = inv.customer_name
        for cid, cust in customers.items():
            if cust.name:
                self.names[cid], self.light[cid] = name_forms(cust.name)
                self.display[cid] = cust.name
        self._cache: dict[tuple[str, str], tuple[str | None, float]] = {}  # (norm, light) -> best()
        self._scores: dict[str, list[tuple[float, str]]] = {}  # norm -> _scored()
        self._pair_scores: dict[str, dict[str, float | None]] = {}  # norm -> customer -> name_score (None: too far)
        self._forms: dict[str, tuple[str, str]] = {}  # payer text -> (normalize_name, light_name)
        self.exact: dict[str, list[str]] = defaultdict(list)
        self.words: dict[str, list[str]] = defaultdict(list)
        self.pairs: dict[str, list[str]] = defaultdict(list)
        for cid, norm in sorted(self.names.items()):
            if not norm:
                continue
            self.exact[norm].append(cid)
            for key in _name_keys(norm):
                self.words[key].append(cid)
            for key in _pair_keys(norm):
                self.pairs[key].append(cid)

    def best(self, payer: str | None, preferred: set[str] = frozenset()) -> tuple[str | None, float]:
        """The customer whose name fits `payer` best, with its score; None when two fit equally well.

        `preferred` customers (those owed exactly this amount) are tried first: when one of them
        fits, the search stops there. Otherwise candidates are the customers sharing a pair of word
        stems with the payer (else its rarest word), so the cost does not grow with the number of
        customers. Memoised per payer text.
        """
        norm, light = self._forms_of(payer)
        if not norm:
            return None, 0.0
        if preferred:  # owed exactly this amount: a slightly weaker name is enough
            if len(preferred) == 1:  # the usual case; its name may be the payer's exactly (score 100)
                only = next(iter(preferred))
                if self.names.get(only) == norm:
                    return only, 100.0
            found = self._pick(norm, light, sorted(preferred))
            if found[0] is not None and found[1] >= AMOUNT_NAME_THRESHOLD:
                return found
        cached = self._cache.get((norm, light))
        if cached is None:
            exact = self.exact.get(norm)
            cached = self._pick(norm, light, exact) if exact else self._decide(self._scored(norm), light)
            self._cache[(norm, light)] = cached
        return cached

    def ranked(self, payer: str, limit: int = 5) -> list[tuple[str, float]]:
        """The few customers whose names fit `payer` best, best first (for the runner-up rule)."""
        norm = self._forms_of(payer)[0]
        return [(c, sc) for sc, c in self._scored(norm)[:limit]] if norm else []

    def normalized(self, payer: str | None) -> str:
        """`normalize_name(payer)`, memoised."""
        return self._forms_of(payer)[0]

    def scores(self, norm: str, candidates: list[str]) -> list[tuple[float, str]]:
        """(name_score, customer) of those `candidates` whose score may reach AMOUNT_NAME_THRESHOLD
        (the others are left out), best first; each pair scored once per run."""
        return self._score(norm, candidates)

    def fits_any(self, payer: str, candidates: set[str], threshold: float) -> bool:
        """Whether the name of one of `candidates` scores at least `threshold` against `payer`:
        what `scores()` tells, as a yes/no, without building and sorting its list (asked once
        per line that names an invoice). Each pair is still scored once per run, by `_score`.

        A payer whose name normalises to exactly a candidate's name fits without scoring: the
        score of a name against itself is 100 (the usual line: the invoice's customer pays it)."""
        norm = self._forms_of(payer)[0]
        if norm and threshold <= 100:
            names = self.names
            for c in candidates:
                if names.get(c) == norm:
                    return True
        memo = self._pair_scores.get(norm)
        if memo is None or not all(c in memo for c in candidates):
            self._score(norm, sorted(candidates))
            memo = self._pair_scores[norm]
        for c in candidates:
            score = memo[c]
            if score is not None and score >= threshold:
                return True
        return False

    def _forms_of(self, payer: str | None) -> tuple[str, str]:
        """(normalize_name, light_name) of a payer text, memoised: a statement repeats its payers."""
        forms = self._forms.get(payer or "")
        if forms is None:
            forms = self._forms[payer or ""] = name_forms(payer)
        return forms

    def _scored(self, norm: str) -> list[tuple[float, str]]:
        """(score, customer) for the candidates that may pass a threshold, best first; memoised."""
        cached = self._scores.get(norm)
        if cached is None:
            candidates = self._candidates(norm)
            cached = self._scores[norm] = self._score(norm, candidates)
        return cached

    def _score(self, norm: str, candidates: list[str]) -> list[tuple[float, str]]:
        """(name_score, customer) of the candidates close enough to matter, best first.

        Each (name, customer) pair is scored once per run: the same payer comes back with other
        amounts, and the same customers are tried again as `preferred` or as runners-up."""
        memo = self._pair_scores.get(norm)
        if memo is None:
            memo = self._pair_scores[norm] = {}
        new = [c for c in candidates if c not in memo]
        if new:
            choices = [self.names.get(c, "") for c in new]
            for c in new:
                memo[c] = None
            # token-set ratio in C first: the mean in name_score cannot reach the threshold below 2*T-100.
            for _, _, k in process.extract(norm, choices, scorer=fuzz.token_set_ratio, processor=None,
                                           score_cutoff=2 * AMOUNT_NAME_THRESHOLD - 100 - 1, limit=None):
                memo[new[k]] = name_score(norm, choices[k])
        scored = [(memo[c], c) for c in candidates if memo[c] is not None]
        scored.sort(key=lambda t: (-t[0], t[1]))
        return scored

    def _candidates(self, norm: str) -> list[str]:
        """Customers sharing the most word-stem pairs with the name (a typo costs a few pairs, not all);
        else the rarest word's customers. A customer sharing k stems shares k(k-1)/2 pairs (1, 3, 6…),
        so in practice only the highest count passes `_top_candidates` (its `most - 1` never occurs)."""
        pairs = self.pairs
        shared: Counter[str] = Counter(chain.from_iterable(pairs.get(key, ()) for key in _pair_keys(norm)))
        if shared:
            return _top_candidates(shared, self.TOP)
        postings = sorted((p for p in (self.words.get(k) for k in _name_keys(norm)) if p), key=len)
        return sorted(postings[0][: self.FALLBACK]) if postings else []

    def _pick(self, norm: str, light: str, candidates: list[str]) -> tuple[str | None, float]:
        return self._decide(self._score(norm, candidates), light)

    def _decide(self, scored: list[tuple[float, str]], light: str) -> tuple[str | None, float]:
        """The best-scored customer, ties broken on the lightly normalised name (legal words kept);
        (None, score) when still tied."""
        if not scored:
            return None, 0.0
        top = scored[0][0]
        best = [c for sc, c in scored if sc == top]
        if len(best) == 1:
            return best[0], top
        second = sorted(((fuzz.ratio(light, self.light.get(c, "")), c) for c in best), reverse=True)
        if second[0][0] == second[1][0]:
            return None, top
        return second[0][1], top


def _top_candidates(shared: Counter[str], top: int) -> list[str]:
    """`sorted(c for c, n in shared.most_common(top) if n >= most - 1)`, `most` the highest count.

    Without sorting every count (a common word pair is shared by thousands of customers): only
    counts `most` and `most - 1` can pass, and `most_common` keeps equal counts in insertion order,
    so its first `top` are the first of the `most` ones, then the first of the `most - 1` ones."""
    most = max(shared.values())
    best = [c for c, n in shared.items() if n == most][:top]
    if len(best) < top:
        best += [c for c, n in shared.items() if n == most - 1][: top - len(best)]
    return sorted(best)


def _pair_keys(norm: str) -> set[str]:
    stems = sorted({w[:4] for w in norm.split() if len(w) >= 3})
    return {f"{a}+{b}" for k, a in enumerate(stems) for b in stems[k + 1:]}


def _name_keys(norm: str) -> set[str]:
    words = [w for w in norm.split() if len(w) >= 3]
    return set(words) | {w[:4] for w in words if len(w) > 4}


# ---------------------------------------------------------------------------- amounts


def quick_subset(items: list[tuple[str, Decimal]], target: Decimal) -> list[str] | None:
    """The first answers of `subset_with_sum`: one invoice with exactly `target`, else the oldest
    run of invoices adding up to it; None to go on with the search."""
    for iid, bal in items:
        if bal == target:
            return [iid]
    total = ZERO
    for k, (_, bal) in enumerate(items):
        total += bal
        if total == target:
            return [iid for iid, _ in items[: k + 1]]
        if total > target:
            break
    return None


def subset_with_sum(candidates: list[tuple[str, Decimal]], target: Decimal) -> list[str] | None:
    """Invoices (oldest first) whose balances add up exactly to `target`, or None.

    Prefers one invoice, then the oldest run of invoices (people pay the oldest first), then
    the one subset found by a bounded depth-first search — None when two different subsets fit
    (or the search ran out of budget): a guess is not a confident match. Exact Decimal arithmetic.
    """
    items = candidates[:SUBSET_LIMIT]
    quick = quick_subset(items, target)
    if quick is not None:
        return quick
    suffix = [ZERO] * (len(items) + 1)
    for k in range(len(items) - 1, -1, -1):
        suffix[k] = suffix[k + 1] + items[k][1]
    search = _SubsetSearch(items, suffix)
    search.dfs(0, target, [])
    found = search.found
    # Two different sets of invoices add up to the amount: which ones were paid is a guess, so none.
    return found[0] if len(found) == 1 and search.budget > 0 else None


class _SubsetSearch:
    """The bounded depth-first search of `subset_with_sum`: stops at two subsets found or when
    the budget of search nodes is spent.

    A class rather than a nested recursive function: such a function refers to itself through
    its closure, a reference cycle that only the cyclic collector frees. A 100k-line statement
    left ~20k of those cycles (330k objects) behind, and the collector's first pass after
    matching spent 0.37 s freeing them."""

    __slots__ = ("items", "suffix", "budget", "found")

    def __init__(self, items: list[tuple[str, Decimal]], suffix: list[Decimal]):
        self.items = items
        self.suffix = suffix  # suffix[k]: the sum of the balances from k on
        self.budget = SUBSET_BUDGET
        self.found: list[list[str]] = []

    def dfs(self, k: int, left: Decimal, chosen: list[str]) -> None:
        found, items = self.found, self.items
        if left == 0:
            found.append(list(chosen))
            return
        if (len(found) > 1 or k >= len(items) or left < 0 or self.suffix[k] < left or self.budget <= 0
                or len(chosen) >= SUBSET_MAX):
            return
        self.budget -= 1
        iid, bal = items[k]
        if bal <= left:
            chosen.append(iid)
            self.dfs(k + 1, left - bal, chosen)
            chosen.pop()
        self.dfs(k + 1, left, chosen)


def allocate_oldest_first(amount: Decimal, invoice_ids: list[str], remaining: dict[str, Decimal]) -> tuple[
        dict[str, Decimal], Decimal]:
    """Spread `amount` over `invoice_ids` in order, each up to its remaining balance. Returns
    (allocations, excess)."""
    allocations: dict[str, Decimal] = {}
    left = amount
    for iid in invoice_ids:
        if left <= 0:
            break
        take = min(left, remaining.get(iid, ZERO))
        if take > 0:
            allocations[iid] = take
            left -= take
    return allocations, left


# ---------------------------------------------------------------------------- the matcher


def match_lines(lines: list[BankLine], invoices: list[Invoice], balances: dict[str, Decimal],
                customers: dict[str, Customer], *, currency: str) -> MatchResult:
    """Match every credit in `lines` (in order) against open invoices.

    `balances` are the effective balances (SPEC 2) before this file: they already count payments
    recorded earlier. `currency` is the business currency, assumed for lines that carry none.
    """
    with gc_paused():  # many small containers, no reference cycles: saves about a third of the time
        return _match_all(lines, invoices, balances, customers, currency)


def _match_all(lines: list[BankLine], invoices: list[Invoice], balances: dict[str, Decimal],
               customers: dict[str, Customer], currency: str) -> MatchResult:
    index = InvoiceIndex(invoices, balances)
    names = CustomerIndex(customers, invoices)
    result = MatchResult()
    for position, line in enumerate(lines):
        if not line.is_credit:
            result.ignored_debits += 1
            continue
        verdict = _match_one(line, position, index, names, (line.currency or currency).upper())
        if verdict.applied:
            for iid, amt in verdict.allocations.items():
                index.pay(iid, amt)
            result.matches.append(verdict)
        elif verdict.confidence:
            result.review.append(verdict)
        else:
            result.unmatched.append(verdict)
    result.balances = dict(index.remaining)
    return result


def _match_one(line: BankLine, position: int, index: InvoiceIndex, names: CustomerIndex, currency: str) -> LineMatch:
    verdict = LineMatch(line=line, position=position)
    amount = line.amount

    # (a) invoice numbers
    named = index.find_numbers(line)
    if named:
        same = [i for i in named if index.by_id[i].currency.upper() == currency]
        if len(same) < len(named):
            other = sorted({index.by_id[i].currency for i in named if i not in same})
            verdict.invoice_ids = named  # no amounts: money in one currency does not pay another's balance
            verdict.confidence, verdict.method = "medium", "invoice_number"
            verdict.customer_id = index.by_id[named[0]].customer_id
            verdict.reason = f"line is in {currency}, invoice in {', '.join(other)}"
            return verdict
        ordered = named if len(named) == 1 else sorted(named, key=lambda i: _age_key(index.by_id[i]))
        open_ids = [i for i in ordered if index.remaining[i] > ZERO]
        verdict.customer_id = index.by_id[ordered[0]].customer_id
        if not open_ids:
            verdict.invoice_ids = ordered
            verdict.confidence, verdict.method = "low", "invoice_number"
            verdict.reason = "the invoices it names are already paid (a duplicate payment?)"
            verdict.excess = amount
            return verdict
        conflict = _payer_conflict(line, open_ids, index, names)
        if conflict is None:
            verdict.allocations, verdict.excess = allocate_oldest_first(amount, open_ids, index.remaining)
            verdict.invoice_ids = list(verdict.allocations)
            verdict.confidence, verdict.method, verdict.applied = "high", "invoice_number", True
            if verdict.excess:
                verdict.reason = f"overpayment: {verdict.excess} kept as a customer credit"
            return verdict
        # The number belongs to another customer than the one paying: most often a mistyped
        # number (INV-1243 for INV-1234). Never apply it on the number alone; payer + exact
        # amount (b) may still settle it confidently, else it goes to review.
        verdict.customer_id = None
        judged = _match_by_payer(line, verdict, index, names, currency)
        if judged.applied or judged.invoice_ids:
            judged.reason = f"{conflict}; {judged.reason}" if judged.reason else conflict
            return judged
        verdict.invoice_ids = open_ids
        verdict.customer_id = index.by_id[open_ids[0]].customer_id
        verdict.confidence, verdict.method, verdict.applied = "medium", "invoice_number", False
        verdict.allocations, verdict.excess = {}, ZERO
        verdict.reason = conflict
        return verdict

    return _match_by_payer(line, verdict, index, names, currency)


def _payer_conflict(line: BankLine, open_ids: list[str], index: InvoiceIndex, names: CustomerIndex) -> str | None:
    """Why an invoice-number match must not be applied: the payer is clearly another customer."""
    if not line.payer:
        return None
    named = {index.by_id[i].customer_id for i in open_ids}
    # Checked first because it is cheap (the few named customers, each pair scored once per run) and
    # settles the usual line, whose payer is the invoice's own customer, without the search over all
    # customers below. Same verdict in either order: both tests must fail for a conflict.
    if names.fits_any(line.payer, named, AMOUNT_NAME_THRESHOLD):
        return None  # the payer fits the invoice's own customer too: trust the number
    cid, score = names.best(line.payer)
    if cid is None or cid in named or score < NAME_THRESHOLD:
        return None
    owners = ", ".join(sorted(names.display.get(c, c) for c in named))
    return (f"the reference names {', '.join(open_ids)} of {owners}, but the payer looks like "
            f"{names.display.get(cid, cid)}: a mistyped invoice number?")


def _match_by_payer(line: BankLine, verdict: LineMatch, index: InvoiceIndex, names: CustomerIndex,
                    currency: str) -> LineMatch:
    """Rules (b) and (c): payer name with the exact amount; else suggestions (payer or amount alone)."""
    amount = line.amount
    # (b) payer name with the exact amount
    owed = index.by_amount.get((currency, amount))
    amount_ids = sorted(owed) if owed else []
    amount_customers = {index.by_id[i].customer_id for i in amount_ids} if owed else frozenset()
    payer_text = line.payer or ""
    cid, score = names.best(payer_text, amount_customers) if payer_text else (None, 0.0)
    if cid is None and not payer_text:
        cid, score = _name_in_description(line.description, names)
    if cid is not None and (score >= NAME_THRESHOLD or (score >= AMOUNT_NAME_THRESHOLD and cid in amount_customers)):
        open_ids = index.open_of(cid, currency)
        subset = subset_with_sum([(i, index.remaining[i]) for i in open_ids], amount)
        if not subset and payer_text:
            # the best-named customer owes no such sum: a close runner-up that does is the payer
            # (`MALHOTRA PLASTICS BR` cut short by the bank fits `… Brothers` and `… & Co` alike)
            for other, other_score in names.ranked(payer_text):
                if other == cid or other_score < AMOUNT_NAME_THRESHOLD:
                    continue
                other_ids = index.open_of(other, currency)
                other_subset = subset_with_sum([(i, index.remaining[i]) for i in other_ids], amount)
                if other_subset:
                    cid, score, open_ids, subset = other, other_score, other_ids, other_subset
                    break
        verdict.customer_id = cid
        if subset:
            verdict.invoice_ids = subset
            verdict.allocations = {i: index.remaining[i] for i in subset}
            verdict.confidence, verdict.method, verdict.applied = "high", "payer_amount", True
            return verdict
        if open_ids:
            # (c) payer alone: suggest the oldest invoices up to the amount
            verdict.allocations, verdict.excess = allocate_oldest_first(amount, open_ids, index.remaining)
            verdict.invoice_ids = list(verdict.allocations)
            verdict.confidence = "medium" if score >= STRONG_NAME else "low"
            verdict.method = "payer"
            verdict.reason = (f"payer looks like {names.display.get(cid, cid)} (name score {score:.0f}) but the "
                              "amount fits no single set of its open invoices")
            return verdict

    # (c) amount alone, equal to exactly one open balance
    if len(amount_ids) == 1:
        iid = amount_ids[0]
        verdict.invoice_ids = [iid]
        verdict.allocations = {iid: amount}
        verdict.customer_id = index.by_id[iid].customer_id
        verdict.confidence, verdict.method = "low", "amount"
        verdict.reason = "only the amount fits (one open invoice has exactly this balance)"
        return verdict
    verdict.reason = (f"{len(amount_ids)} open invoices have this balance" if amount_ids
                      else "no invoice number, customer or balance fits")
    return verdict


def _name_in_description(description: str, names: CustomerIndex) -> tuple[str | None, float]:
    """Without a payer field: a customer whose every name word appears in the description."""
    words = set(normalize_name(description).split())
    if not words:
        return None, 0.0
    candidates: set[str] = set()
    for w in words:
        if len(w) >= 3:
            posting = names.words.get(w, ())
            if len(posting) <= names.MAX_POSTING:
                candidates.update(posting)
    found = sorted(c for c in candidates if names.names.get(c) and set(names.names[c].split()) <= words)
    if not found:
        return None, 0.0
    # the most specific name wins (`bansal sons` over `sons`); two equally specific ones: no verdict
    found.sort(key=lambda c: -len(names.names[c].split()))
    if len(found) > 1 and len(names.names[found[0]].split()) == len(names.names[found[1]].split()):
        return None, 0.0
    return found[0], 90.0
