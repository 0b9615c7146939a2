"""The personas built on the salaried person: ``Overdrawn`` lives below zero, ``Newcomer``
opened their accounts a few days ago. What differs is in the habits fixture's ``overdrawn``
and ``newcomer`` sections."""
from __future__ import annotations

from datetime import date, timedelta

from sandbox.synth import habits
from sandbox.synth.profiles.regular import DAYS_PER_MONTH, Regular

#: The overdrawn persona keeps at most this many of its bills.
OVERDRAWN_BILLS = 3


class Overdrawn(Regular):
    """Lives below zero: modest pay, a payday lender's autopay, overdraft fees."""

    def salary_range(self) -> tuple[int, int]:
        return habits.load().overdrawn.salary

    def setup(self) -> None:
        super().setup()
        persona = habits.load().overdrawn
        rng = self.habits_rng
        self.schedule_kind = "biweekly"
        self.rent = int(self.salary * self.habits.net_pay_share / 12 * persona.rent_share) \
            // 1000 * 1000
        self.bills = [bill for bill in self.bills
                      if bill.merchant.category in persona.bill_categories][:OVERDRAWN_BILLS]
        self.online_rate = persona.online_orders_per_month / DAYS_PER_MONTH
        self.trips = {}
        self.full_payer = False
        self.card_share = persona.card_share
        self.coffee_rate = persona.coffee_rate
        self.dining_rate = rng.uniform(*persona.dining_per_week) / 7
        self.lender_target = persona.lender_target

    def income(self, day: date) -> None:
        """Pay arrives, and the lender takes enough to leave the account below zero."""
        if not self.is_payday(day):
            return
        pay = self.pay(day)
        self.ach(self.checking, pay, self.at(6), f"{self.employer} PAYROLL DIR DEP", "income")
        target = self.number(*self.lender_target)
        repayment = self.balance[self.checking.id] + target
        if repayment > 0:
            self.ach(self.checking, -repayment, self.at(6), "QUICKCASH LENDING AUTOPAY",
                     "loan_payment")

    def card_payment_amount(self, owed: int, minimum: int) -> int:
        return minimum


class Newcomer(Regular):
    """Opened accounts a few days ago: an opening deposit, then a little everyday spending."""

    def setup(self) -> None:
        super().setup()
        self.newcomer = habits.load().newcomer
        self.bills = []
        self.rent = 0
        self.trips = {}
        self.online_rate = self.newcomer.online_orders_per_month / DAYS_PER_MONTH
        self.dining_rate *= self.newcomer.dining_factor
        self.opened = self.checking.opened_on

    def live(self, day: date) -> None:
        persona, at_home = self.newcomer, self.habits.at_home
        if day == self.opened:
            self.ach(self.checking, self.number(*persona.opening_deposit), self.at(15),
                     "MOBILE CHECK DEPOSIT", "income", channel="check")
            return
        if day == self.opened + timedelta(days=1) and self.savings is not None:
            self.transfer(self.checking, self.savings, persona.first_savings, self.at(16),
                          f"TRANSFER TO SAVINGS ...{self.savings.mask}",
                          f"TRANSFER FROM CHECKING ...{self.checking.mask}")
        self.income(day)
        if self.random() < persona.coffee:
            self.shop(self.cafe, self.between(*at_home.coffee.hours), False, 0)
        if day.weekday() == self.grocery_day:
            self.shop(self.grocer, self.between(*at_home.groceries.hours),
                      self.random() < at_home.groceries.receipt,
                      self.number(*persona.grocery_lines))
        if self.random() < self.dining_rate:
            self.shop(self.pick(self.restaurants), self.between(*at_home.dining.hours), False, 0)
