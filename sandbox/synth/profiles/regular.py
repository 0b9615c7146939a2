"""The salaried person: pay, rent or mortgage, bills and subscriptions, groceries, dining,
fuel or transit, outings, ATM cash, online orders, trips, savings sweeps and card payments.

Where they go and how often comes from the habits fixture (:mod:`sandbox.synth.habits`); this
module fixes the order in which the figures are drawn.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from sandbox.synth import habits, keys
from sandbox.synth.context import Merchant
from sandbox.synth.habits import PAY_PERIODS, Visit
from sandbox.synth.ledger import Ledger, Venue
from sandbox.synth.places import venue as place

#: A Friday: biweekly paydays are an even number of weeks from it (or one week later).
PAYDAY_ANCHOR = date(2024, 1, 5).toordinal()
RAISE_BASE_YEAR = 2024
ANNUAL_RAISE = 1.03
DAYS_PER_MONTH = 30.44
#: A hotel stay's fixed fee on top of its nights, cents.
HOTEL_STAY_FEE = 4_500


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

    def salary_range(self) -> tuple[int, int]:
        """Yearly gross pay, whole dollars (personas narrow it)."""
        return self.habits.salary

    def setup(self) -> None:
        world, plan = self.world, self.plan
        h = self.habits = habits.load().regular
        rng = keys.rng(world.seed, world.bank_id, plan.username, "habits")
        self.habits_rng = rng
        merchants = world.catalogue.merchants
        self.salary = rng.randint(*self.salary_range()) * 100
        self.schedule_kind = rng.choices(tuple(h.pay_schedules),
                                         tuple(h.pay_schedules.values()))[0]
        self.parity = rng.randint(0, 1)
        self.employer = rng.choice(world.pools.employers).upper()
        self.landlord = rng.choice(world.pools.landlords).upper()
        monthly_net = self.salary * h.net_pay_share / 12
        self.buffer = int(monthly_net * rng.uniform(*h.buffer_months))
        self.rent = 0 if plan.account("mortgage") else \
            int(monthly_net * rng.uniform(*h.rent_share)) // 1000 * 1000
        self.card_share = rng.uniform(*h.card_share) if self.card else 0.0
        self.full_payer = plan.persona is not None or rng.random() < h.full_payer
        self.scale = min(1.8, max(0.7, self.salary / 8_000_000))
        self.bills = self._plan_bills(rng, merchants)
        self.grocer = self._venue(rng, merchants[rng.choice(h.grocers)])
        self.grocery_day = rng.randint(0, 6)
        self.corner = self._venue(rng, merchants[h.corner_store])
        self.restaurants = self._venues(rng, rng.sample(h.restaurants.merchants,
                                                        h.restaurants.pick))
        self.quick = self._venues(rng, h.quick_service)
        self.cafe = self._venue(rng, merchants[rng.choice(h.cafes)])
        self.coffee_rate = rng.choice(h.coffee_rates)
        self.dining_rate = rng.uniform(*h.dining_per_week) / 7
        self.has_car = plan.account("loan") is not None or rng.random() < h.car_owner
        self.fuel = self._venue(rng, merchants[rng.choice(h.fuel_stations)])
        self.transit = self._venue(rng, merchants[h.transit])
        self.parking = self._venue(rng, merchants[h.parking])
        self.stores = self._venues(rng, rng.sample(h.stores.merchants, h.stores.pick))
        self.pharmacy = self._venue(rng, merchants[h.pharmacy])
        self.dentist = self._venue(rng, merchants[h.dentist])
        self.fun = self._venues(rng, h.outings)
        self.atm = place(rng, world.pools, plan.city)
        self.online_rate = (h.persona_online_orders_per_month if plan.persona
                            else rng.uniform(*h.online_orders_per_month)) / DAYS_PER_MONTH
        self.shops = [merchants[m] for m in rng.sample(h.online_shops.merchants,
                                                       h.online_shops.pick)]
        self.trips = self._plan_trips()
        home, online = h.at_home, h.online
        #: The fixed daily chances, unpacked by the day's methods (the generator's hot path).
        self.home_chances = (home.corner_store.chance, home.quick_service.chance,
                             home.fuel.chance, home.transit.chance, home.rides.chance,
                             home.parking.chance, home.stores.chance, home.outings.chance,
                             home.pharmacy.chance, home.dentist.chance, h.cash.chance)
        self.online_chances = (online.apps.chance, online.delivery.chance,
                               online.tickets.chance)

    # -- planning ---------------------------------------------------------------------

    def _venue(self, rng, merchant: Merchant, city: dict | None = None) -> Venue:
        city = city or self.plan.city
        location = place(rng, self.world.pools, city)
        store = rng.randint(100, 9999)
        descriptor = f"{merchant.name.upper()} #{store:04d} {city['name'].upper()} {city['region']}"
        return Venue(merchant, location, descriptor)

    def _venues(self, rng, merchant_ids) -> list[Venue]:
        merchants = self.world.catalogue.merchants
        return [self._venue(rng, merchants[merchant_id]) for merchant_id in merchant_ids]

    def _plan_bills(self, rng, merchants: dict[str, Merchant]) -> list[Bill]:
        """The bills of the fixture, in its order: a bill with a ``chance`` draws it first;
        of two or more billers one is picked; then the day, then the amount (or a plan)."""
        card = self.card is not None
        bills = []
        for bill in self.habits.bills:
            if bill.chance is not None and rng.random() >= bill.chance:
                continue
            choices = bill.merchants
            merchant = merchants[choices[0] if len(choices) == 1 else rng.choice(choices)]
            day = rng.randint(*bill.day)
            amount = rng.randint(*bill.amount) if bill.amount else rng.choice(merchant.plans)
            bills.append(Bill(merchant, day, amount, card and bill.on_card, bill.seasonal))
        subscriptions = self.habits.subscriptions
        for merchant_id in rng.sample(subscriptions.merchants,
                                      rng.randint(*subscriptions.count)):
            merchant = merchants[merchant_id]
            bills.append(Bill(merchant, rng.randint(*subscriptions.day),
                              rng.choice(merchant.plans), card and subscriptions.on_card))
        return bills

    def _plan_trips(self) -> dict[int, Trip]:
        """Trips of every year the history touches, keyed by each day's ordinal (booking
        day and days away). Each year's trips come from a generator keyed by the year."""
        world, plan, trips = self.world, self.plan, self.habits.trips
        days: dict[int, Trip] = {}
        for year in range(world.start.year, world.as_of_month.year + 2):
            rng = keys.rng(world.seed, world.bank_id, plan.username, "trips", year)
            for _ in range(rng.randint(*trips.per_year)):
                start = date(year, 1, 1) + timedelta(days=rng.randint(0, 360))
                nights = rng.randint(*trips.nights)
                city = rng.choice([c for c in world.catalogue.cities if c is not plan.city])
                trip = Trip(start - timedelta(days=rng.randint(*trips.booked_days_ahead)),
                            start, nights, city, rng.random() < trips.car_rental)
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
        periods = PAY_PERIODS[self.schedule_kind]
        return int(self.salary * self.habits.net_pay_share / periods * raise_factor(day.year))

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
        """A day at home: the habits of ``at_home``, each on its own condition, in order."""
        habit, random = self.habits.at_home, self.random
        (corner, quick, fuel, transit, rides, parking, stores, outings, pharmacy, dentist,
         cash) = self.home_chances
        weekday = day.weekday()
        if weekday == self.grocery_day:
            self.visit(self.grocer, habit.groceries)
        if random() < corner:
            self.visit(self.corner, habit.corner_store)
        if random() < self.dining_rate:
            self.visit(self.pick(self.restaurants), habit.dining)
        if weekday < 5 and random() < quick:
            self.visit(self.pick(self.quick), habit.quick_service)
        if weekday < 5 and random() < self.coffee_rate:
            self.visit(self.cafe, habit.coffee)
        if self.has_car and random() < fuel:
            self.visit(self.fuel, habit.fuel)
        if not self.has_car and weekday < 5 and random() < transit:
            self.visit(self.transit, habit.transit)
        if random() < rides:
            self.buy(self.world.catalogue.merchants[self.habits.rides],
                     self.between(*habit.rides.hours), prefer_card=random() < self.card_share)
        if random() < parking:
            self.visit(self.parking, habit.parking)
        if random() < stores:
            self.visit(self.pick(self.stores), habit.stores)
        if random() < outings:
            self.visit(self.pick(self.fun), habit.outings)
        if random() < pharmacy:
            self.visit(self.pharmacy, habit.pharmacy)
        if random() < dentist:
            self.visit(self.dentist, habit.dentist)
        if random() < cash:
            self.withdraw()

    def visit(self, venue: Venue, habit: Visit) -> None:
        """Shop at ``venue`` the way ``habit`` says: an instant in its hours, then whether
        there is a receipt (only where the merchant has items), then its line count."""
        at = self.between(*habit.hours)
        receipt = habit.receipt is not None and bool(venue.merchant.items) and \
            self.random() < habit.receipt
        self.shop(venue, at, receipt, self.number(*habit.lines) if habit.lines else 0)

    def shop(self, venue: Venue, at, receipt: bool, lines: int) -> None:
        """Buy at a place: on the card (when preferred and it has room) or debit."""
        merchant = venue.merchant
        prefer_card = self.random() < self.card_share
        if receipt and merchant.items:
            self.buy(merchant, at, prefer_card=prefer_card, venue=venue, lines=lines)
        else:
            self.buy(merchant, at, prefer_card=prefer_card, venue=venue,
                     amount=int(self.ticket(merchant) * (self.scale if merchant.low > 1000 else 1)))

    def withdraw(self) -> None:
        """Cash from an ATM; out-of-network ones charge a fee."""
        cash = self.habits.cash
        amount = self.number(*cash.notes) * 2000
        at = self.between(*cash.hours)
        location = self.atm
        foreign = self.random() < cash.out_of_network
        description = f"ATM WITHDRAWAL {location[0].upper()} {location[1].upper()} {location[2]}"
        self.emit(self.next_suffix(), self.checking, -amount, at, at, description, "cash", "atm",
                  location=location)
        if foreign:
            self.ach(self.checking, -self.pick(cash.fees), at, "NON-NETWORK ATM FEE",
                     "fees", channel="fee")

    def shop_online(self) -> None:
        habits_, online, random = self.habits, self.habits.online, self.random
        apps, delivery, tickets = self.online_chances
        merchants = self.world.catalogue.merchants
        if random() < self.online_rate:
            merchant = self.pick(self.shops)
            self.buy(merchant, self.between(*online.shops.hours), prefer_card=True,
                     lines=self.number(*online.shops.lines))
        if random() < apps:
            self.buy(merchants[habits_.apps], self.between(*online.apps.hours),
                     prefer_card=True, lines=self.number(*online.apps.lines), refundable=False)
        if random() < delivery:
            self.buy(merchants[habits_.delivery], self.between(*online.delivery.hours),
                     prefer_card=random() < self.card_share,
                     lines=self.number(*online.delivery.lines))
        if random() < tickets:
            self.buy(merchants[habits_.tickets], self.between(*online.tickets.hours),
                     prefer_card=True, lines=online.tickets_per_order, refundable=False)

    def book_trip(self, trip: Trip) -> None:
        flight = self.habits.trips.flight
        merchant = self.world.catalogue.merchants[self.pick(self.habits.trips.airlines)]
        self.buy(merchant, self.between(*flight.hours), prefer_card=True,
                 lines=self.number(*flight.lines), refundable=False)

    def travel(self, day: date, trip: Trip) -> None:
        """A day away: meals, rides and fun in the trip's city; the hotel at checkout."""
        rng = self.rng
        habits_, away = self.habits, self.habits.trips
        merchants = self.world.catalogue.merchants
        city = trip.city
        eateries = habits_.restaurants.merchants + habits_.quick_service + habits_.cafes
        for _ in range(self.number(*away.meals)):
            venue = self._venue(rng, merchants[self.pick(eateries)], city)
            self.buy(venue.merchant, self.between(*away.meal.hours), prefer_card=True,
                     venue=venue,
                     lines=self.number(*away.meal.lines) if self.random() < away.meal.receipt
                     else 0, tax_city=city["name"])
        if self.random() < away.ride.chance:
            self.buy(merchants[habits_.rides], self.between(*away.ride.hours), prefer_card=True)
        if self.random() < away.outing.chance:
            venue = self._venue(rng, merchants[away.outing_venue], city)
            self.buy(venue.merchant, self.between(*away.outing.hours), prefer_card=True,
                     venue=venue)
        if day == trip.start + timedelta(days=trip.nights):
            hotel = self._venue(rng, merchants[self.pick(away.hotels)], city)
            self.buy(hotel.merchant, self.between(14, 17), prefer_card=True, venue=hotel,
                     amount=self.number(*away.hotel_night) * trip.nights // 100 * 100
                     + HOTEL_STAY_FEE, refundable=False)
            if trip.rental:
                rental = self._venue(rng, merchants[away.rental_cars], city)
                self.buy(rental.merchant, self.between(15, 18), prefer_card=True,
                         venue=rental, amount=self.number(*away.rental_day) * trip.nights,
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
