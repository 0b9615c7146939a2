"""The money engine every profile runs on: ids, posting delays, transfers, card purchases with
receipts and parcels, refunds, card statements, loan payments, interest and fees.

A :class:`Ledger` simulates one customer day by day from the start of history. It generates
each whole day (also past the clock's now); what the clock shows is decided afterwards
(:mod:`sandbox.synth.generate`), so a later clock only adds to what an earlier one showed.
Amounts are integer cents, signed from the holder's side: negative = money leaves; for
cards, loans and mortgages the tracked balance is minus the amount owed. Instants are integer
Unix seconds (UTC) on this hot path.
"""
from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sandbox.synth import keys
from sandbox.synth.context import Merchant, World, cents
from sandbox.synth.parcels import plan_parcel
from sandbox.synth.people import AccountPlan, CustomerPlan
from sandbox.synth.receipts import charges, line_items

DAY = 86_400
HOUR = 3_600
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
#: Weekday of 1970-01-01 (Monday = 0), to tell weekends from Unix days.
EPOCH_WEEKDAY = date(1970, 1, 1).weekday()

# Layout of a generated movement tuple.
(ID, ACCOUNT, AMOUNT, AUTHORIZED, POSTS, DESCRIPTION, CATEGORY, CHANNEL, MERCHANT, LOCATION,
 COUNTERPARTY, RECEIPT) = range(12)

#: Business days until a card purchase posts (drawn uniformly from this tuple).
CARD_POSTING_DAYS = (1, 1, 2, 2, 3)
OVERDRAFT_FEE = 3500
OVERDRAFT_FEES_PER_MONTH = 3
MINIMUM_PAYMENT_FLOOR = 2500
PAYMENT_DUE_DAYS = 25
REFUND_SHARE = 0.06


def day_seconds(day: date) -> int:
    """Unix seconds of 00:00 UTC on ``day``."""
    return (day.toordinal() - EPOCH_ORDINAL) * DAY


def day_of(instant: int) -> date:
    """The UTC day of Unix seconds ``instant``."""
    return date.fromordinal(instant // DAY + EPOCH_ORDINAL)


@dataclass
class Statement:
    """A closed card statement."""

    account_id: str
    closed_at: int
    balance: int
    minimum: int
    due_on: date


@dataclass
class Venue:
    """A merchant's place: its location tuple and how it reads on a statement."""

    merchant: Merchant
    location: tuple
    descriptor: str


class Ledger:
    """One customer's simulated money, day by day. Profiles subclass it
    (:mod:`sandbox.synth.profiles`) and implement :meth:`setup` and :meth:`live`."""

    def __init__(self, world: World, plan: CustomerPlan):
        self.world = world
        self.plan = plan
        self.rows: list[tuple] = []
        self.receipts: list[tuple] = []
        self.shipments: list[tuple] = []
        self.statements: list[Statement] = []
        self.balance = {a.id: -a.opening if a.liability else a.opening for a in plan.accounts}
        self.checking = plan.account("checking")
        self.savings = plan.account("savings")
        self.card = plan.account("credit_card")
        self.statement_balance = 0
        self.paid_since_statement = 0
        self.rng = random.Random()
        self.random = self.rng.random
        self.scheduled: dict[int, list[Callable[[], None]]] = defaultdict(list)
        self.token = keys.token(world.seed, world.bank_id, plan.username)
        self._day_key = keys.key(world.seed, world.bank_id, plan.username, "week") << 24
        self._prefix = ""
        self._seq = 0
        self._overdrafts: dict[tuple[int, int], int] = defaultdict(int)
        self._debited = False
        self.loans = self._plan_loans()
        self.day = world.start
        self.midnight = day_seconds(world.start)

    # -- the day loop -------------------------------------------------------------------

    def setup(self) -> None:
        """Draw the customer's habits (profiles override)."""

    def live(self, day: date) -> None:
        """Generate the customer's own activity of ``day`` (profiles override)."""

    def run(self, through: date) -> None:
        """Simulate every day from the start of history through ``through``."""
        self.setup()
        first = max(self.world.start, min(a.opened_on for a in self.plan.accounts))
        for ordinal in range(first.toordinal(), through.toordinal() + 1):
            day = date.fromordinal(ordinal)
            if ordinal % 7 == 0 or ordinal == first.toordinal():
                # Keyed by the week: a day's draws depend on nothing after it.
                self.rng.seed(self._day_key + ordinal // 7)
            self.day = day
            self.midnight = (ordinal - EPOCH_ORDINAL) * DAY
            self._prefix = f"{self.token}{ordinal - 700_000:05x}"
            self._seq = 0
            self._debited = False
            for action in self.scheduled.pop(ordinal, ()):
                action()
            self._loan_payments(day)
            self.live(day)
            self._close_day(day)

    def at(self, hour: float) -> int:
        """The instant ``hour`` hours into the current day."""
        return self.midnight + int(hour * HOUR)

    def between(self, first_hour: float, last_hour: float) -> int:
        """A random instant of the current day between two hours."""
        return self.midnight + int((first_hour + (last_hour - first_hour) * self.random()) * HOUR)

    def chance(self, probability: float) -> bool:
        """True with ``probability``."""
        return self.random() < probability

    def pick(self, options):
        """One of ``options``, uniformly."""
        return options[int(self.random() * len(options))]

    def number(self, low: int, high: int) -> int:
        """An integer in ``[low, high]``, uniformly."""
        return low + int(self.random() * (high - low + 1))

    def schedule(self, day: date, action: Callable[[], None]) -> None:
        """Run ``action`` at the start of ``day`` (if the simulation gets there)."""
        self.scheduled[day.toordinal()].append(action)

    def next_suffix(self) -> str:
        """The next id suffix of the day: customer token, day, sequence."""
        self._seq += 1
        return f"{self._prefix}{self._seq:03x}"

    # -- movements ------------------------------------------------------------------------

    def emit(self, suffix: str, account: AccountPlan, amount: int, at: int, posts: int,
             description: str, category: str, channel: str, merchant_id: str | None = None,
             location: tuple | None = None, counterparty: str | None = None,
             receipt_id: str | None = None) -> None:
        """Record one movement."""
        self.rows.append(("txn_" + suffix, account.id, amount, at, posts, description, category,
                          channel, merchant_id, location, counterparty, receipt_id))
        self.balance[account.id] += amount
        if amount < 0 and account is self.checking:
            self._debited = True

    def ach(self, account: AccountPlan, amount: int, at: int, description: str,
            category: str, merchant: Merchant | None = None, channel: str = "ach") -> None:
        """A movement that posts at once (ACH, fee, interest, check)."""
        self.emit(self.next_suffix(), account, amount, at, at, description, category, channel,
                  merchant.id if merchant else None)

    def transfer(self, source: AccountPlan, target: AccountPlan, amount: int, at: int,
                 out_text: str, in_text: str, category: str = "transfer") -> None:
        """Move money between two of the customer's accounts: both sides, linked."""
        out_suffix, in_suffix = self.next_suffix(), self.next_suffix()
        self.emit(out_suffix, source, -amount, at, at, out_text, category, "transfer",
                  counterparty=target.id)
        self.emit(in_suffix, target, amount, at, at, in_text, category, "transfer",
                  counterparty=source.id)

    def card_posting(self, at: int) -> int:
        """When a card purchase made at ``at`` posts: one to three business days later, in
        the morning (weekend purchases wait for Monday or later)."""
        random = self.random
        day = at // DAY
        for _ in range(CARD_POSTING_DAYS[int(random() * len(CARD_POSTING_DAYS))]):
            day += 1
            while (day + EPOCH_WEEKDAY) % 7 >= 5:
                day += 1
        return day * DAY + 8 * HOUR + int(random() * 3 * HOUR)

    def payer(self, prefer_card: bool, amount: int) -> AccountPlan:
        """The card when preferred and it has room for ``amount``, else checking (debit)."""
        card = self.card
        if prefer_card and card is not None and card.credit_limit + self.balance[card.id] >= amount:
            return card
        return self.checking

    def ticket(self, merchant: Merchant, scale: float = 1.0) -> int:
        """A usual amount at ``merchant`` (skewed towards the low end)."""
        low = merchant.low
        return max(50, int((low + (merchant.high - low) * self.random() ** 1.6) * scale))

    def buy(self, merchant: Merchant, at: int, *, prefer_card: bool, venue: Venue | None = None,
            amount: int | None = None, lines: int = 0, tax_city: str | None = None,
            refundable: bool = True) -> int:
        """A card purchase in store (at ``venue``) or online; with ``lines`` > 0 it carries an
        itemised receipt (and parcels when the merchant ships). Returns the amount in cents."""
        suffix = self.next_suffix()
        online = venue is None
        receipt = None
        if lines:
            items, subtotal = line_items(self.rng, merchant, lines)
            city = tax_city or (venue.location[1] if venue else self.plan.city["name"])
            tax, tip, shipping = charges(self.rng, merchant, subtotal,
                                         self.world.catalogue.tax_rates[city], online)
            amount = subtotal + tax + tip + shipping
            receipt = (items, subtotal, tax, tip, shipping)
        elif amount is None:
            amount = self.ticket(merchant)
        account = self.payer(prefer_card, amount)
        receipt_id = None
        if receipt is not None:
            receipt_id = "rcp_" + suffix
            self.receipts.append((receipt_id, "txn_" + suffix, account.id, merchant.id, at,
                                  *receipt, amount, "ord_" + suffix if online else None))
        if online:
            description, location, channel = merchant.descriptor, None, "online"
        else:
            description, location, channel = venue.descriptor, venue.location, "in_store"
        self.emit(suffix, account, -amount, at, self.card_posting(at), description,
                  merchant.category, channel, merchant.id, location, receipt_id=receipt_id)
        if receipt is not None and online and merchant.ships:
            self._ship(suffix, at, account, merchant, amount, description, len(receipt[0]))
        elif refundable and merchant.category == "shopping" and self.random() < REFUND_SHARE:
            self._schedule_refund(self.number(5, 20), account, merchant, amount, description,
                                  location)
        return amount

    def _ship(self, suffix: str, at: int, account: AccountPlan, merchant: Merchant,
              amount: int, description: str, lines: int) -> None:
        count = 2 if lines > 1 and self.random() < 0.15 else 1
        lost = False
        for index in range(count):
            parcel = plan_parcel(self.rng, self.world.catalogue, at, self.plan.city)
            self.shipments.append((f"shp_{suffix}{index}", "rcp_" + suffix, self.plan.id,
                                   "ord_" + suffix, parcel.carrier, parcel.tracking_number,
                                   parcel.shipped_at, parcel.estimated_delivery, parcel.events,
                                   at))
            if parcel.lost and not lost:
                lost = True
                failed = date.fromisoformat(parcel.events[-1]["at"][:10])
                self._schedule_refund((failed - day_of(at)).days + self.number(2, 5), account,
                                      merchant, amount, description, None)
        if not lost and self.random() < REFUND_SHARE:
            self._schedule_refund(self.number(8, 25), account, merchant, amount, description,
                                  None)

    def _schedule_refund(self, days: int, account: AccountPlan, merchant: Merchant, amount: int,
                         description: str, location: tuple | None) -> None:
        def refund() -> None:
            at = self.between(13, 23)
            self.emit(self.next_suffix(), account, amount, at, self.card_posting(at),
                      "REFUND " + description, merchant.category,
                      "in_store" if location else "online", merchant.id, location)

        self.schedule(date.fromordinal(self.day.toordinal() + days), refund)

    # -- what every account does on its own ------------------------------------------------

    def _plan_loans(self) -> list[tuple[AccountPlan, int, int, int]]:
        """``(account, day of month, monthly payment, APR in hundredths of a percent)`` for
        each loan and mortgage."""
        loans = []
        rng = keys.rng(self.world.seed, self.world.bank_id, self.plan.username, "loans")
        for account in self.plan.accounts:
            if account.type not in ("loan", "mortgage"):
                continue
            months = rng.randint(24, 60) if account.type == "loan" else rng.randint(180, 330)
            apr = cents(account.apr)
            rate = apr / 1_200_000
            payment = int(account.opening * rate / (1 - (1 + rate) ** -months)) + 1
            day = 1 if account.type == "mortgage" else rng.randint(3, 25)
            loans.append((account, day, payment, apr))
        return loans

    def _loan_payments(self, day: date) -> None:
        for account, payment_day, payment, apr in self.loans:
            owed = -self.balance[account.id]
            if day.day != payment_day or owed <= 0:
                continue
            interest = owed * apr // 1_200_000
            self.ach(account, -interest, self.at(5), "INTEREST CHARGED", "interest",
                     channel="interest")
            mortgage = account.type == "mortgage"
            self.transfer(self.checking, account, min(payment, owed + interest), self.at(5.5),
                          f"{'MORTGAGE' if mortgage else 'AUTO LOAN'} PAYMENT ...{account.mask}",
                          "PAYMENT RECEIVED", "housing" if mortgage else "loan_payment")

    def _close_day(self, day: date) -> None:
        card = self.card
        if card is not None and day.day == card.statement_day:
            self._statement(card)
        savings = self.savings
        if savings is not None and savings.apy and self.is_month_end(day):
            interest = self.balance[savings.id] * cents(savings.apy) // 1_200_000
            if interest > 0:
                self.ach(savings, interest, self.at(23.5), "INTEREST PAYMENT", "interest",
                         channel="interest")
        if self._debited and self.balance[self.checking.id] < 0:
            month = (day.year, day.month)
            if self._overdrafts[month] < OVERDRAFT_FEES_PER_MONTH:
                self._overdrafts[month] += 1
                self.ach(self.checking, -OVERDRAFT_FEE, self.at(23.75), "OVERDRAFT FEE", "fees",
                         channel="fee")

    @staticmethod
    def is_month_end(day: date) -> bool:
        """True on the last day of a month."""
        return date.fromordinal(day.toordinal() + 1).day == 1

    def _statement(self, card: AccountPlan) -> None:
        interest = 0
        carried = self.statement_balance - self.paid_since_statement
        if carried > 0:
            interest = carried * cents(card.apr) // 1_200_000
            if interest:
                self.ach(card, -interest, self.at(23), "INTEREST CHARGE ON PURCHASES",
                         "interest", channel="interest")
        owed = max(0, -self.balance[card.id])
        minimum = min(owed, max(MINIMUM_PAYMENT_FLOOR, owed // 100 + interest))
        due = date.fromordinal(self.day.toordinal() + PAYMENT_DUE_DAYS)
        self.statements.append(Statement(card.id, self.at(23.99), owed, minimum, due))
        self.statement_balance, self.paid_since_statement = owed, 0
        if owed:
            amount = self.card_payment_amount(owed, minimum)
            pay_day = date.fromordinal(due.toordinal() - self.number(0, 6))
            self.schedule(pay_day, lambda: self._pay_card(card, amount))

    def card_payment_amount(self, owed: int, minimum: int) -> int:
        """What the customer pays on a statement (profiles override): in full."""
        return owed

    def _pay_card(self, card: AccountPlan, amount: int) -> None:
        self.paid_since_statement += amount
        self.transfer(self.checking, card, amount, self.between(9, 16),
                      f"CARD PAYMENT TO ...{card.mask}", "PAYMENT - THANK YOU", "card_payment")
