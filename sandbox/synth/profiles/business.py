"""The small online shop: daily card settlements in; shipping labels, ads, stock, rent,
software, power, phone and payroll out. Its merchants and amounts are the habits fixture's
``business`` section."""
from __future__ import annotations

import math
from datetime import date

from sandbox.synth import habits, keys
from sandbox.synth.ledger import Ledger, Venue
from sandbox.synth.places import venue as place
from sandbox.synth.profiles.regular import weekly_payday

BUSINESS_MIN_TRANSACTIONS = 11_500


class Business(Ledger):
    """A small online shop: daily card settlements in; labels, ads, stock and payroll out.
    Its daily volume is scaled to the history's length: at least 10,000 movements in all."""

    def setup(self) -> None:
        world, plan = self.world, self.plan
        shop = self.habits = habits.load().business
        rng = keys.rng(world.seed, world.bank_id, plan.username, "habits")
        merchants = world.catalogue.merchants
        # The shortest history of ``months`` months has 28 days in each.
        self.labels = max(12, math.ceil(BUSINESS_MIN_TRANSACTIONS / (world.months * 28)))
        self.courier = merchants[shop.courier]
        self.ads = merchants[shop.ads.merchant]
        self.office = merchants[shop.office.merchant]
        self.software = merchants[shop.software]
        self.software_plan = rng.choice(self.software.plans)
        city = plan.city
        wholesale = merchants[shop.wholesale]
        self.wholesale = Venue(wholesale, place(rng, world.pools, city),
                               f"{wholesale.name.upper()} #{rng.randint(100, 999):04d} "
                               f"{city['name'].upper()} {city['region']}")
        self.landlord = rng.choice(world.pools.landlords).upper()
        self.lease = rng.randint(*shop.lease) // 1000 * 1000
        self.payroll = rng.randint(*shop.payroll)
        self.parity = rng.randint(0, 1)
        self.power = merchants[shop.power]
        self.phone = merchants[shop.phone]

    def card_payment_amount(self, owed: int, minimum: int) -> int:
        return owed

    def live(self, day: date) -> None:
        rng, shop = self.rng, self.habits
        checking, card = self.checking, self.card
        weekday = day.weekday()
        spent = 0
        for _ in range(max(1, int(rng.gauss(self.labels, self.labels * 0.1)))):
            spent += self.buy(self.courier, self.between(13, 23.9), prefer_card=False,
                              refundable=False)
        if self.random() < shop.ads.chance:
            spent += self.buy(self.ads, self.between(0.5, 3), prefer_card=True,
                              refundable=False)
        if weekday == 1:
            spent += self.buy(self.wholesale.merchant, self.between(15, 20),
                              prefer_card=True, venue=self.wholesale, lines=self.number(2, 5))
        if self.random() < shop.office.chance:
            spent += self.buy(self.office, self.between(14, 22), prefer_card=True,
                              lines=self.number(1, 4))
        if day.day == 1:
            self.ach(checking, -self.lease, self.at(8), f"{self.landlord} COMMERCIAL LEASE",
                     "housing")
        if day.day == 3:
            self.buy(self.software, self.at(9), prefer_card=True, amount=self.software_plan,
                     refundable=False)
        if day.day == 12:
            self.ach(checking, -self.number(*shop.power_bill), self.at(9),
                     f"{self.power.name.upper()} AUTOPAY", "utilities", self.power)
        if day.day == 18:
            self.buy(self.phone, self.at(9), prefer_card=card is not None,
                     amount=self.phone.plans[-1], refundable=False)
        if weekly_payday(day.toordinal(), self.parity):
            self.ach(checking, -int(self.payroll * rng.uniform(0.95, 1.05)), self.at(7),
                     "PAYLANTERN PAYROLL", "business_services")
        if weekday < 6:
            sales = int(spent * rng.uniform(*shop.sales_markup)) + self.number(*shop.other_sales)
            self.ach(checking, sales, self.at(5 + self.random()),
                     "TIDEWATER PAYMENTS SETTLEMENT", "income")
        if day.day == 28 and self.savings is not None and self.balance[checking.id] > 4_000_000:
            self.transfer(checking, self.savings, 1_000_000, self.at(21),
                          f"TRANSFER TO SAVINGS ...{self.savings.mask}",
                          f"TRANSFER FROM CHECKING ...{checking.mask}")
