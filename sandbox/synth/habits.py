"""Profiles: how a kind of customer earns and spends, day by day.

``Regular`` is a salaried person (payroll, rent or mortgage on the 1st, utilities, phone,
subscriptions, weekly groceries, dining, fuel, trips, ATM, online orders, savings sweeps).
``Overdrawn``, ``Business`` and ``Newcomer`` are the special personas. Habits are drawn from a
generator keyed by ``(seed, bank, customer)``; each day's choices from one keyed by the
week, ``(seed, bank, customer, week)``: a day depends on nothing that comes after it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from sandbox.synth import keys
from sandbox.synth.context import Merchant, World
from sandbox.synth.ledger import Ledger, Venue
from sandbox.synth.people import CustomerPlan
from sandbox.synth.places import venue as place

#: A Friday: biweekly paydays are an even number of weeks from it (or one week later).
PAYDAY_ANCHOR = date(2024, 1, 5).toordinal()
RAISE_BASE_YEAR = 2024
ANNUAL_RAISE = 1.03
BUSINESS_MIN_TRANSACTIONS = 11_500
DAYS_PER_MONTH = 30.44

SUBSCRIPTIONS = ("mch_streamvale", "mch_tunepond", "mch_flickerbox", "mch_cloudnest",
                 "mch_dailyledger", "mch_fitforge")
SIT_DOWN = ("mch_marigold", "mch_bluefin", "mch_ironskillet", "mch_olivegrove", "mch_tacoverde",
            "mch_lanternhouse", "mch_smokestack", "mch_copperkettle")
QUICK = ("mch_burgerbarn", "mch_wrapstar")
COFFEE = ("mch_daybreak", "mch_steamwheel")
GROCERS = ("mch_greenbasket", "mch_harvestlane", "mch_pantrypoint", "mch_sunfield")
FUEL = ("mch_roadrunner", "mch_summitgas", "mch_prairiestop")
STORES = ("mch_hearthhome", "mch_pagewise", "mch_threadline", "mch_voltage", "mch_maplecross")
SHIPPED = ("mch_brightcart", "mch_parcelpine", "mch_circuitden", "mch_inkwell", "mch_nestly",
           "mch_pawprint", "mch_vitalroot")
AIRLINES = ("mch_skyward", "mch_bluecrest")
HOTELS = ("mch_lodgestone", "mch_harborinn")


@dataclass
class Bill:
    """A recurring bill: who, on which day of the month, how much, paid how."""

    merchant: Merchant
    day: int
    amount: int
    on_card: bool
    seasonal: bool = False


@dataclass
class Trip:
    """A trip away from home: flight booked ahead, purchases in another city."""

    booked: date
    start: date
    nights: int
    city: dict
    rental: bool


def weekly_payday(ordinal: int, parity: int) -> bool:
    """True on every other Friday (``parity`` 0 or 1 picks which)."""
    return (ordinal - PAYDAY_ANCHOR - 7 * parity) % 14 == 0


def raise_factor(year: int) -> float:
    """Pay and rents grow a little each calendar year."""
    return ANNUAL_RAISE ** (year - RAISE_BASE_YEAR)


class Regular(Ledger):
    """A salaried person."""

    #: Share of the salary that arrives as net pay.
    NET = 0.74
    SALARY = (42_000, 165_000)

    def setup(self) -> None:
        world, plan = self.world, self.plan
        rng = keys.rng(world.seed, world.bank_id, plan.username, "habits")
        self.habits_rng = rng
        merchants = world.catalogue.merchants
        self.salary = rng.randint(*self.SALARY) * 100
        self.schedule_kind = rng.choices(("biweekly", "semimonthly", "monthly"), (6, 3, 1))[0]
        self.parity = rng.randint(0, 1)
        self.employer = rng.choice(world.pools.employers).upper()
        self.landlord = rng.choice(world.pools.landlords).upper()
        monthly_net = self.salary * self.NET / 12
        self.buffer = int(monthly_net * rng.uniform(0.8, 1.5))
        self.rent = 0 if plan.account("mortgage") else \
            int(monthly_net * rng.uniform(0.22, 0.3)) // 1000 * 1000
        self.card_share = rng.uniform(0.6, 0.9) if self.card else 0.0
        self.full_payer = plan.persona is not None or rng.random() < 0.75
        self.scale = min(1.8, max(0.7, self.salary / 8_000_000))
        self.bills = self._plan_bills(rng, merchants)
        self.grocer = self._venue(rng, merchants[rng.choice(GROCERS)])
        self.grocery_day = rng.randint(0, 6)
        self.corner = self._venue(rng, merchants["mch_cornerfresh"])
        self.restaurants = [self._venue(rng, merchants[m]) for m in rng.sample(SIT_DOWN, 5)]
        self.quick = [self._venue(rng, merchants[m]) for m in QUICK]
        self.cafe = self._venue(rng, merchants[rng.choice(COFFEE)])
        self.coffee_rate = rng.choice((0.0, 0.2, 0.5, 0.8))
        self.dining_rate = rng.uniform(1.0, 3.5) / 7
        self.has_car = plan.account("loan") is not None or rng.random() < 0.7
        self.fuel = self._venue(rng, merchants[rng.choice(FUEL)])
        self.transit = self._venue(rng, merchants["mch_metrolink"])
        self.parking = self._venue(rng, merchants["mch_parkwell"])
        self.stores = [self._venue(rng, merchants[m]) for m in rng.sample(STORES, 3)]
        self.pharmacy = self._venue(rng, merchants["mch_wellspring"])
        self.dentist = self._venue(rng, merchants["mch_brightsmile"])
        self.fun = [self._venue(rng, merchants[m]) for m in ("mch_starlight", "mch_pinwheel")]
        self.atm = place(rng, world.pools, plan.city)
        self.online_rate = (4.0 if plan.persona else rng.uniform(0.5, 4.0)) / DAYS_PER_MONTH
        self.shops = [merchants[m] for m in rng.sample(SHIPPED, 4)]
        self.trips = self._plan_trips()

    # -- planning ---------------------------------------------------------------------

    def _venue(self, rng, merchant: Merchant, city: dict | None = None) -> Venue:
        city = city or self.plan.city
        location = place(rng, self.world.pools, city)
        store = rng.randint(100, 9999)
        descriptor = f"{merchant.name.upper()} #{store:04d} {city['name'].upper()} {city['region']}"
        return Venue(merchant, location, descriptor)

    def _plan_bills(self, rng, merchants: dict[str, Merchant]) -> list[Bill]:
        card = self.card is not None
        bills = [Bill(merchants["mch_ridgepower"], rng.randint(5, 25),
                      rng.randint(5_500, 12_000), False, seasonal=True),
                 Bill(merchants["mch_clearwater"], rng.randint(5, 25), rng.randint(2_800, 6_500),
                      False)]
        if rng.random() < 0.5:
            bills.append(Bill(merchants["mch_emberline"], rng.randint(5, 25),
                              rng.randint(2_500, 6_000), False, seasonal=True))
        phone = merchants[rng.choice(("mch_signalbay", "mch_nimbustel"))]
        bills.append(Bill(phone, rng.randint(1, 28), rng.choice(phone.plans), card))
        if rng.random() < 0.85:
            internet = merchants["mch_fiberfield"]
            bills.append(Bill(internet, rng.randint(1, 28), rng.choice(internet.plans), card))
        if rng.random() < 0.6:
            insurance = merchants["mch_steadfast"]
            bills.append(Bill(insurance, rng.randint(1, 28), rng.choice(insurance.plans), False))
        for merchant_id in rng.sample(SUBSCRIPTIONS, rng.randint(1, 4)):
            merchant = merchants[merchant_id]
            bills.append(Bill(merchant, rng.randint(1, 28), rng.choice(merchant.plans), card))
        return bills

    def _plan_trips(self) -> dict[int, Trip]:
        """Trips of every year the history touches, keyed by each day's ordinal (booking
        day and days away). Each year's trips come from a generator keyed by the year."""
        world, plan = self.world, self.plan
        days: dict[int, Trip] = {}
        for year in range(world.start.year, world.as_of_month.year + 2):
            rng = keys.rng(world.seed, world.bank_id, plan.username, "trips", year)
            for _ in range(rng.randint(1, 3)):
                start = date(year, 1, 1) + timedelta(days=rng.randint(0, 360))
                nights = rng.randint(2, 6)
                city = rng.choice([c for c in world.catalogue.cities if c is not plan.city])
                trip = Trip(start - timedelta(days=rng.randint(14, 60)), start, nights, city,
                            rng.random() < 0.4)
                span = range(start.toordinal(), start.toordinal() + nights + 1)
                if any(ordinal in days for ordinal in span) or trip.booked.toordinal() in days:
                    continue
                days[trip.booked.toordinal()] = trip
                for ordinal in span:
                    days[ordinal] = trip
        return days

    # -- the day ----------------------------------------------------------------------

    def live(self, day: date) -> None:
        self.income(day)
        self.housing(day)
        self.pay_bills(day)
        trip = self.trips.get(day.toordinal())
        if trip is not None and trip.booked == day:
            self.book_trip(trip)
        elif trip is not None:
            self.travel(day, trip)
        else:
            self.spend_at_home(day)
        self.shop_online()
        self.balance_accounts()

    def is_payday(self, day: date) -> bool:
        """Whether pay arrives on ``day``."""
        last = (day + timedelta(days=1)).day == 1
        if self.schedule_kind == "biweekly":
            return weekly_payday(day.toordinal(), self.parity)
        if self.schedule_kind == "semimonthly":
            return day.day == 15 or last
        return last

    def pay(self, day: date) -> int:
        """Net pay of one payday in ``day``'s year."""
        periods = {"biweekly": 26, "semimonthly": 24, "monthly": 12}[self.schedule_kind]
        return int(self.salary * self.NET / periods * raise_factor(day.year))

    def income(self, day: date) -> None:
        if self.is_payday(day):
            self.ach(self.checking, self.pay(day), self.at(6 + self.random()),
                     f"{self.employer} PAYROLL DIR DEP", "income")

    def housing(self, day: date) -> None:
        if day.day == 1 and self.rent:
            rent = int(self.rent * raise_factor(day.year)) // 500 * 500
            self.ach(self.checking, -rent, self.at(8), f"{self.landlord} RENT", "housing")

    def pay_bills(self, day: date) -> None:
        for bill in self.bills:
            if bill.day != day.day:
                continue
            amount = bill.amount
            if bill.seasonal:
                amount = int(amount * (1 + 0.35 * math.cos(2 * math.pi * (day.month - 1) / 12))
                             * self.rng.uniform(0.85, 1.15))
            at = self.between(7, 11)
            merchant = bill.merchant
            if bill.on_card:
                self.buy(merchant, at, prefer_card=True, amount=amount, refundable=False)
            else:
                self.ach(self.checking, -amount, at,
                         f"{merchant.name.upper()} AUTOPAY", merchant.category, merchant)

    def spend_at_home(self, day: date) -> None:
        share = self.card_share
        weekday = day.weekday()
        if weekday == self.grocery_day:
            self.shop(self.grocer, self.between(14, 23), self.random() < 0.35,
                      self.number(4, 12))
        if self.random() < 0.1:
            self.shop(self.corner, self.between(13, 23), False, 0)
        if self.random() < self.dining_rate:
            venue = self.pick(self.restaurants)
            self.shop(venue, self.between(19, 23.9), self.random() < 0.5,
                      self.number(2, 5))
        if weekday < 5 and self.random() < 0.15:
            self.shop(self.pick(self.quick), self.between(16, 19), False, 0)
        if weekday < 5 and self.random() < self.coffee_rate:
            self.shop(self.cafe, self.between(12.5, 15.5), self.random() < 0.2,
                      self.number(1, 3))
        if self.has_car and self.random() < 0.14:
            self.shop(self.fuel, self.between(12, 23), False, 0)
        if not self.has_car and weekday < 5 and self.random() < 0.7:
            self.shop(self.transit, self.between(12, 14), False, 0)
        if self.random() < 0.04:
            self.buy(self.world.catalogue.merchants["mch_hopride"], self.between(13, 23.9),
                     prefer_card=self.random() < share)
        if self.random() < 0.03:
            self.shop(self.parking, self.between(13, 22), False, 0)
        if self.random() < 0.05:
            self.shop(self.pick(self.stores), self.between(15, 23), self.random() < 0.4,
                      self.number(1, 4))
        if self.random() < 0.035:
            venue = self.pick(self.fun)
            self.shop(venue, self.between(18, 23.5),
                      bool(venue.merchant.items) and self.random() < 0.3, self.number(1, 3))
        if self.random() < 0.04:
            self.shop(self.pharmacy, self.between(14, 23), self.random() < 0.3,
                      self.number(1, 3))
        if self.random() < 0.006:
            self.shop(self.dentist, self.between(14, 21), False, 0)
        if self.random() < 0.05:
            self.withdraw(day)

    def shop(self, venue: Venue, at, receipt: bool, lines: int) -> None:
        """Buy at a place: on the card (when preferred and it has room) or debit."""
        merchant = venue.merchant
        prefer_card = self.random() < self.card_share
        if receipt and merchant.items:
            self.buy(merchant, at, prefer_card=prefer_card, venue=venue, lines=lines)
        else:
            self.buy(merchant, at, prefer_card=prefer_card, venue=venue,
                     amount=int(self.ticket(merchant) * (self.scale if merchant.low > 1000 else 1)))

    def withdraw(self, day: date) -> None:
        """Cash from an ATM; out-of-network ones charge a fee."""
        amount = self.number(2, 10) * 2000
        at = self.between(13, 23.5)
        location = self.atm
        foreign = self.random() < 0.2
        description = f"ATM WITHDRAWAL {location[0].upper()} {location[1].upper()} {location[2]}"
        self.emit(self.next_suffix(), self.checking, -amount, at, at, description, "cash", "atm",
                  location=location)
        if foreign:
            self.ach(self.checking, -self.pick((250, 300, 350)), at, "NON-NETWORK ATM FEE",
                     "fees", channel="fee")

    def shop_online(self) -> None:
        catalogue = self.world.catalogue.merchants
        if self.random() < self.online_rate:
            merchant = self.pick(self.shops)
            self.buy(merchant, self.between(12, 23.9), prefer_card=True,
                     lines=self.number(1, 4))
        if self.random() < 0.02:
            self.buy(catalogue["mch_appgrove"], self.between(12, 23.9), prefer_card=True,
                     lines=self.number(1, 2), refundable=False)
        if self.random() < 0.04:
            self.buy(catalogue["mch_forkful"], self.between(17, 23.5),
                     prefer_card=self.random() < self.card_share, lines=self.number(2, 4))
        if self.random() < 0.008:
            self.buy(catalogue["mch_ticketbloom"], self.between(12, 23.9),
                     prefer_card=True, lines=2, refundable=False)

    def book_trip(self, trip: Trip) -> None:
        merchant = self.world.catalogue.merchants[self.pick(AIRLINES)]
        self.buy(merchant, self.between(12, 23), prefer_card=True,
                 lines=self.number(1, 3), refundable=False)

    def travel(self, day: date, trip: Trip) -> None:
        """A day away: meals, rides and fun in the trip's city; the hotel at checkout."""
        rng = self.rng
        merchants = self.world.catalogue.merchants
        city = trip.city
        for _ in range(self.number(1, 3)):
            venue = self._venue(rng, merchants[self.pick(SIT_DOWN + QUICK + COFFEE)], city)
            self.buy(venue.merchant, self.between(13, 23.9), prefer_card=True,
                     venue=venue, lines=self.number(1, 4) if self.random() < 0.4 else 0,
                     tax_city=city["name"])
        if self.random() < 0.6:
            self.buy(merchants["mch_hopride"], self.between(13, 23.9), prefer_card=True)
        if self.random() < 0.25:
            venue = self._venue(rng, merchants["mch_pinwheel"], city)
            self.buy(venue.merchant, self.between(18, 23), prefer_card=True, venue=venue)
        if day == trip.start + timedelta(days=trip.nights):
            hotel = self._venue(rng, merchants[self.pick(HOTELS)], city)
            self.buy(hotel.merchant, self.between(14, 17), prefer_card=True, venue=hotel,
                     amount=self.number(11_900, 28_900) * trip.nights // 100 * 100 + 4_500,
                     refundable=False)
            if trip.rental:
                rental = self._venue(rng, merchants["mch_roamcar"], city)
                self.buy(rental.merchant, self.between(15, 18), prefer_card=True,
                         venue=rental, amount=self.number(4_500, 7_500) * trip.nights,
                         refundable=False)

    def balance_accounts(self) -> None:
        """Sweep extra cash to savings after payday; top checking up from savings when low."""
        savings, checking = self.savings, self.checking
        if savings is None:
            return
        balance = self.balance[checking.id]
        if balance > self.buffer * 2:
            amount = (balance - self.buffer) // 2 // 1000 * 1000
            self.transfer(checking, savings, amount, self.at(22),
                          f"TRANSFER TO SAVINGS ...{savings.mask}",
                          f"TRANSFER FROM CHECKING ...{checking.mask}")
        elif balance < self.buffer // 4 and self.balance[savings.id] > 0:
            amount = min(self.balance[savings.id], self.buffer // 2) // 1000 * 1000
            if amount > 0:
                self.transfer(savings, checking, amount, self.at(22),
                              f"TRANSFER TO CHECKING ...{checking.mask}",
                              f"TRANSFER FROM SAVINGS ...{savings.mask}")

    def card_payment_amount(self, owed: int, minimum: int) -> int:
        if self.full_payer:
            return owed
        return min(owed, max(minimum, int(owed * self.rng.uniform(0.1, 0.4)) // 100 * 100))


class Overdrawn(Regular):
    """Lives below zero: modest pay, a payday lender's autopay, overdraft fees."""

    SALARY = (34_000, 40_000)

    def setup(self) -> None:
        super().setup()
        rng = self.habits_rng
        self.schedule_kind = "biweekly"
        self.rent = int(self.salary * self.NET / 12 * 0.3) // 1000 * 1000
        self.bills = [bill for bill in self.bills
                      if bill.merchant.category in ("utilities", "telecom")][:3]
        self.online_rate = 1 / DAYS_PER_MONTH
        self.trips = {}
        self.full_payer = False
        self.card_share = 0.3
        self.coffee_rate = 0.1
        self.dining_rate = rng.uniform(0.3, 0.6) / 7

    def income(self, day: date) -> None:
        """Pay arrives, and the lender takes enough to leave the account below zero."""
        if not self.is_payday(day):
            return
        pay = self.pay(day)
        self.ach(self.checking, pay, self.at(6), f"{self.employer} PAYROLL DIR DEP", "income")
        target = self.number(12_000, 45_000)
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
        self.bills = []
        self.rent = 0
        self.trips = {}
        self.online_rate = 0.5 / DAYS_PER_MONTH
        self.dining_rate /= 2
        self.opened = self.checking.opened_on

    def live(self, day: date) -> None:
        if day == self.opened:
            self.ach(self.checking, self.number(80_000, 250_000), self.at(15),
                     "MOBILE CHECK DEPOSIT", "income", channel="check")
            return
        if day == self.opened + timedelta(days=1) and self.savings is not None:
            self.transfer(self.checking, self.savings, 20_000, self.at(16),
                          f"TRANSFER TO SAVINGS ...{self.savings.mask}",
                          f"TRANSFER FROM CHECKING ...{self.checking.mask}")
        self.income(day)
        if self.random() < 0.4:
            self.shop(self.cafe, self.between(12.5, 15.5), False, 0)
        if day.weekday() == self.grocery_day:
            self.shop(self.grocer, self.between(14, 23), self.random() < 0.35,
                      self.number(3, 8))
        if self.random() < self.dining_rate:
            self.shop(self.pick(self.restaurants), self.between(19, 23.9), False, 0)


class Business(Ledger):
    """A small online shop: daily card settlements in; labels, ads, stock and payroll out.
    Its daily volume is scaled to the history's length: at least 10,000 movements in all."""

    def setup(self) -> None:
        world, plan = self.world, self.plan
        rng = keys.rng(world.seed, world.bank_id, plan.username, "habits")
        merchants = world.catalogue.merchants
        # The shortest history of ``months`` months has 28 days in each.
        self.labels = max(12, math.ceil(BUSINESS_MIN_TRANSACTIONS / (world.months * 28)))
        self.courier = merchants["mch_boxcourier"]
        self.ads = merchants["mch_adspring"]
        self.office = merchants["mch_deskline"]
        self.software = merchants["mch_ledgerlite"]
        self.software_plan = rng.choice(self.software.plans)
        city = plan.city
        wholesale = merchants["mch_crateworks"]
        self.wholesale = Venue(wholesale, place(rng, world.pools, city),
                               f"{wholesale.name.upper()} #{rng.randint(100, 999):04d} "
                               f"{city['name'].upper()} {city['region']}")
        self.landlord = rng.choice(world.pools.landlords).upper()
        self.lease = rng.randint(180_000, 420_000) // 1000 * 1000
        self.payroll = rng.randint(600_000, 1_400_000)
        self.parity = rng.randint(0, 1)
        self.power = merchants["mch_ridgepower"]
        self.phone = merchants["mch_signalbay"]

    def card_payment_amount(self, owed: int, minimum: int) -> int:
        return owed

    def live(self, day: date) -> None:
        rng = self.rng
        checking, card = self.checking, self.card
        weekday = day.weekday()
        spent = 0
        for _ in range(max(1, int(rng.gauss(self.labels, self.labels * 0.1)))):
            spent += self.buy(self.courier, self.between(13, 23.9), prefer_card=False,
                              refundable=False)
        if self.random() < 0.7:
            spent += self.buy(self.ads, self.between(0.5, 3), prefer_card=True,
                              refundable=False)
        if weekday == 1:
            spent += self.buy(self.wholesale.merchant, self.between(15, 20),
                              prefer_card=True, venue=self.wholesale, lines=self.number(2, 5))
        if self.random() < 0.08:
            spent += self.buy(self.office, self.between(14, 22), prefer_card=True,
                              lines=self.number(1, 4))
        if day.day == 1:
            self.ach(checking, -self.lease, self.at(8), f"{self.landlord} COMMERCIAL LEASE",
                     "housing")
        if day.day == 3:
            self.buy(self.software, self.at(9), prefer_card=True, amount=self.software_plan,
                     refundable=False)
        if day.day == 12:
            self.ach(checking, -self.number(9_000, 26_000), self.at(9),
                     f"{self.power.name.upper()} AUTOPAY", "utilities", self.power)
        if day.day == 18:
            self.buy(self.phone, self.at(9), prefer_card=card is not None,
                     amount=self.phone.plans[-1], refundable=False)
        if weekly_payday(day.toordinal(), self.parity):
            self.ach(checking, -int(self.payroll * rng.uniform(0.95, 1.05)), self.at(7),
                     "PAYLANTERN PAYROLL", "business_services")
        if weekday < 6:
            sales = int(spent * rng.uniform(1.4, 2.2)) + self.number(20_000, 90_000)
            self.ach(checking, sales, self.at(5 + self.random()),
                     "TIDEWATER PAYMENTS SETTLEMENT", "income")
        if day.day == 28 and self.savings is not None and self.balance[checking.id] > 4_000_000:
            self.transfer(checking, self.savings, 1_000_000, self.at(21),
                          f"TRANSFER TO SAVINGS ...{self.savings.mask}",
                          f"TRANSFER FROM CHECKING ...{checking.mask}")


PROFILES = {"regular": Regular, "overdrawn": Overdrawn, "business": Business,
            "new": Newcomer}


def ledger_for(world: World, plan: CustomerPlan) -> Ledger:
    """The simulation of ``plan``'s profile."""
    return PROFILES[plan.profile](world, plan)
