"""The habits fixture (``fixtures/habits.yaml``): which merchants the generated customers use
and how often, validated like the other fixtures.

:func:`load` validates the file with marshmallow (each field is described below) and checks
it against ``merchants.yaml``: every merchant a habit names exists and has the category the
habit is about; probabilities lie in [0, 1], weights are positive, ranges are ordered. A broken
file raises :class:`sandbox.catalog.FixtureError` naming the file and the field. Money comes
out in integer cents, ranges as ``(low, high)`` tuples. The profiles
(:mod:`sandbox.synth.profiles`) turn these figures into a ledger.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from types import SimpleNamespace

import marshmallow as ma
from marshmallow import fields, validate

from sandbox import catalog
from sandbox.synth.habit_fields import (
    Cents, MerchantIds, Tuple, count_range, day_range, hour_window, merchant, merchants, nested,
    money_range, positive, probability, share_range,
)
from sandbox.vocabulary import CATEGORIES

#: Pay schedules and their paydays a year.
PAY_PERIODS = {"biweekly": 26, "semimonthly": 24, "monthly": 12}
#: Habits of a day at home whose chance the profile draws per customer (no ``chance``).
DRAWN_CHANCES = frozenset({"groceries", "dining", "coffee"})


@dataclass(frozen=True)
class Visit:
    """A purchase habit: how likely on a day, when, with what receipt."""

    chance: float | None
    hours: tuple[float, float]
    receipt: float | None
    lines: tuple[int, int] | None


@dataclass(frozen=True)
class Picked:
    """Merchants of which ``pick`` are chosen per customer."""

    merchants: tuple[str, ...]
    pick: int


# -- schemas -----------------------------------------------------------------------------

class Section(SimpleNamespace):
    """A loaded part of the file, its fields as attributes (read only by convention)."""


class _Schema(ma.Schema):
    """Loads into ``made``: a frozen dataclass, or a :class:`Section`."""

    made = Section

    @ma.post_load
    def _make(self, data: dict, **_):
        return self.made(**data)


class VisitSchema(_Schema):
    made = Visit

    chance = probability("Chance of the purchase on a day (omitted: the code's own rule, "
                         "named beside the habit in the file).", load_default=None)
    hours = hour_window(required=True)
    receipt = probability("Chance of an itemised receipt (omitted: never).", load_default=None)
    lines = count_range("Line items of a receipt, [min, max] (omitted: none).",
                        load_default=None)


def visit(description: str) -> fields.Nested:
    return nested(VisitSchema, description)


class PickedSchema(_Schema):
    made = Picked

    merchants = Tuple(fields.String(), required=True, validate=validate.Length(min=1),
                      metadata={"description": "The merchants to pick from."})
    pick = fields.Integer(required=True, validate=validate.Range(1),
                          metadata={"description": "How many each customer uses."})

    @ma.validates_schema
    def _enough(self, data: dict, **_) -> None:
        if data["pick"] > len(data["merchants"]):
            raise ma.ValidationError("More to pick than there are merchants.", "pick")


def picked(description: str, *categories: str, **kwargs) -> fields.Nested:
    """A :class:`Picked` group of merchants of ``categories``."""
    check = MerchantIds(*categories, **kwargs)
    return fields.Nested(PickedSchema, required=True, validate=lambda p: check(p.merchants),
                         metadata={"description": description})


class BillSchema(_Schema):
    merchants = merchants("The biller; of two or more, each customer picks one.",
                          "utilities", "telecom", "insurance")
    chance = probability("Chance a customer has this bill (omitted: everyone).",
                         load_default=None)
    day = day_range("Day of the month it is due, drawn per customer.", required=True)
    amount = money_range("Monthly amount, drawn per customer (omitted: one of the "
                         "merchant's plans).", load_default=None)
    on_card = fields.Boolean(load_default=False, metadata={
        "description": "Paid on the credit card (card holders); otherwise by autopay."})
    seasonal = fields.Boolean(load_default=False, metadata={
        "description": "Higher in winter, lower in summer, and a little different each month."})

    @ma.validates_schema
    def _priced(self, data: dict, **_) -> None:
        if data.get("amount") is None:
            MerchantIds(*CATEGORIES, plans=True)(data.get("merchants", ()))


class SubscriptionsSchema(_Schema):
    merchants = merchants("The services; each customer subscribes to some of them.",
                          "subscriptions", plans=True)
    count = count_range("How many each customer has, [min, max].", required=True)
    day = day_range("Day of the month each is charged, drawn per subscription.",
                    required=True)
    on_card = fields.Boolean(load_default=False,
                             metadata={"description": "Charged to the credit card."})


class CashSchema(_Schema):
    chance = probability("Chance of an ATM withdrawal on a day at home.", required=True)
    hours = hour_window(required=True)
    notes = count_range("Twenty-dollar notes withdrawn, [min, max].", required=True)
    out_of_network = probability("Chance the ATM charges a fee.", required=True)
    fees = fields.List(Cents(), required=True, validate=validate.Length(min=1),
                       metadata={"description": "The fees an out-of-network ATM charges."})


class OnlineSchema(_Schema):
    shops = visit("An order at one of the customer's online shops.")
    apps = visit("An app.")
    delivery = visit("A meal delivered.")
    tickets = visit("Event tickets.")
    tickets_per_order = fields.Integer(required=True, validate=validate.Range(1),
                                       metadata={"description": "Tickets bought at once."})


class TripsSchema(_Schema):
    per_year = count_range("Trips a year, [min, max].", required=True)
    nights = count_range("Nights away, [min, max].", required=True)
    booked_days_ahead = count_range("Days between booking the flight and leaving.",
                                    required=True)
    car_rental = probability("Chance a trip includes a rental car.", required=True)
    airlines = merchants("Airlines, one per trip.", "travel")
    hotels = merchants("Hotels, one per trip.", "travel")
    rental_cars = merchant("The car rental company.", "travel")
    flight = visit("Booking the flight.")
    meals = count_range("Meals a day away, [min, max].", required=True)
    meal = visit("A meal away (at the restaurants, quick service and cafes).")
    ride = visit("A ride away.")
    outing = visit("An outing away.")
    outing_venue = merchant("Where the outing away is.", "entertainment")
    hotel_night = money_range("Price of a hotel night (plus a fixed fee per stay).",
                              required=True)
    rental_day = money_range("Price of a rental car day.", required=True)


class AtHomeSchema(_Schema):
    groceries = visit("The weekly shop, on the grocery day.")
    corner_store = visit("Top-up shopping.")
    dining = visit("A sit-down meal (chance: `dining_per_week` / 7).")
    quick_service = visit("Fast food, weekdays.")
    coffee = visit("Coffee, weekdays (chance: the customer's coffee rate).")
    fuel = visit("Filling up (car owners).")
    transit = visit("A transit fare (weekdays, no car).")
    rides = visit("A ride.")
    parking = visit("Parking.")
    stores = visit("Shopping in one of the stores.")
    outings = visit("Cinema or bowling.")
    pharmacy = visit("The pharmacy.")
    dentist = visit("The dentist.")

    @ma.validates_schema
    def _chances(self, data: dict, **_) -> None:
        for name, habit in data.items():
            if name in DRAWN_CHANCES and habit.chance is not None:
                raise ma.ValidationError("Leave `chance` out: the profile draws it.", name)
            if name not in DRAWN_CHANCES and habit.chance is None:
                raise ma.ValidationError("A `chance` is required.", name)


class RegularSchema(_Schema):
    salary = count_range("Yearly gross pay in whole dollars, [min, max].", required=True)
    net_pay_share = probability("Share of the salary that arrives as net pay.", required=True)
    pay_schedules = fields.Dict(
        keys=fields.String(validate=validate.OneOf(PAY_PERIODS)),
        values=positive("Relative weight."), required=True, validate=validate.Length(min=1),
        metadata={"description": "Pay schedules (`biweekly`, `semimonthly`, `monthly`) and "
                                 "their relative weights, in this order."})
    buffer_months = share_range("Cash kept in checking, in months of net pay.", required=True)
    rent_share = share_range("Rent as a share of monthly net pay (customers without a "
                             "mortgage).", required=True)
    card_share = share_range("Share of purchases put on the credit card (card holders).",
                             required=True)
    full_payer = probability("Chance of paying the card statement in full.", required=True)
    car_owner = probability("Chance of owning a car (a car loan means a car).", required=True)
    coffee_rates = fields.List(probability("A rate."), required=True,
                               validate=validate.Length(min=1), metadata={
                                   "description": "Weekday coffee chances; one is picked per "
                                                  "customer."})
    dining_per_week = share_range("Sit-down meals a week.", required=True)
    online_orders_per_month = share_range("Orders at the online shops a month.", required=True)
    persona_online_orders_per_month = positive("The same, for the personas.", required=True)
    bills = fields.List(fields.Nested(BillSchema), required=True, metadata={
        "description": "Recurring bills, drawn in this order."})
    subscriptions = nested(SubscriptionsSchema, "Streaming, storage, news, gym.")
    grocers = merchants("Supermarkets; one per customer.", "groceries")
    corner_store = merchant("The corner store.", "groceries")
    restaurants = picked("Sit-down restaurants (also eaten at on trips).", "dining")
    quick_service = merchants("Fast food (also eaten at on trips).", "dining")
    cafes = merchants("Coffee shops; one per customer (all of them on trips).", "dining")
    fuel_stations = merchants("Fuel stations; one per customer.", "fuel")
    transit = merchant("Public transport.", "transport")
    parking = merchant("Parking garages.", "transport")
    rides = merchant("Ride hailing, at home and away.", "transport")
    stores = picked("Stores in town.", "shopping")
    pharmacy = merchant("The pharmacy.", "health")
    dentist = merchant("The dentist.", "health")
    outings = merchants("Cinema, bowling: all of them.", "entertainment")
    online_shops = picked("Online shops that ship orders.", "shopping", "health", ships=True)
    apps = merchant("The app store.", "entertainment")
    delivery = merchant("Meal delivery.", "dining")
    tickets = merchant("Event tickets.", "entertainment")
    at_home = nested(AtHomeSchema, "A day at home, habit by habit, in the order drawn.")
    cash = nested(CashSchema, "ATM withdrawals.")
    online = nested(OnlineSchema, "Online orders, every day.")
    trips = nested(TripsSchema, "Trips away from home.")


class OverdrawnSchema(_Schema):
    salary = count_range("Yearly gross pay in whole dollars, [min, max].", required=True)
    rent_share = probability("Rent as a share of monthly net pay.", required=True)
    bill_categories = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)),
                                  required=True, metadata={
                                      "description": "Categories of the bills kept (at most "
                                                     "three)."})
    online_orders_per_month = positive("Orders at the online shops a month.", required=True)
    card_share = probability("Share of purchases put on the credit card.", required=True)
    coffee_rate = probability("Weekday coffee chance.", required=True)
    dining_per_week = share_range("Sit-down meals a week.", required=True)
    lender_target = money_range("How far below zero the payday lender's autopay leaves "
                                "checking.", required=True)


class NewcomerSchema(_Schema):
    online_orders_per_month = positive("Orders at the online shops a month.", required=True)
    dining_factor = probability("Share of the regular dining habit.", required=True)
    opening_deposit = money_range("The check deposited on the day of opening.",
                                  required=True)
    first_savings = Cents(required=True, metadata={
        "description": "Moved to savings the day after opening."})
    coffee = probability("Daily chance of a coffee.", required=True)
    grocery_lines = count_range("Line items of the weekly shop.", required=True)


class ChanceOfSchema(_Schema):
    merchant = fields.String(required=True, metadata={"description": "Merchant id."})
    chance = probability("Daily chance.", required=True)


def chance_of(description: str, *categories: str) -> fields.Nested:
    check = MerchantIds(*categories)
    return nested(ChanceOfSchema, description, validate=lambda value: check(value.merchant))


class BusinessSchema(_Schema):
    courier = merchant("Shipping labels, every day.", "business_services")
    ads = chance_of("Advertising.", "business_services")
    wholesale = merchant("Stock, every Tuesday.", "supplies")
    office = chance_of("Office supplies.", "supplies")
    software = merchant("Accounting software, on the 3rd.", "business_services", plans=True)
    power = merchant("Electricity, on the 12th.", "utilities")
    power_bill = money_range("The electricity bill.", required=True)
    phone = merchant("Phone, on the 18th: the largest plan.", "telecom", plans=True)
    lease = money_range("Monthly commercial lease, on the 1st.", required=True)
    payroll = money_range("Payroll, every other Friday.", required=True)
    sales_markup = share_range("A day's card sales: that day's costs times this...",
                               required=True)
    other_sales = money_range("... plus this.", required=True)


class HabitsSchema(_Schema):
    regular = nested(RegularSchema, "Salaried people (and the base of the personas).")
    overdrawn = nested(OverdrawnSchema, "What differs for the overdrawn persona.")
    newcomer = nested(NewcomerSchema, "What differs for customers who just opened accounts.")
    business = nested(BusinessSchema, "The small online shop.")


@functools.cache
def load() -> Section:
    """The validated habits (money in cents); cached for the life of the process."""
    return catalog.load_fixture(catalog.fixtures_root() / "habits.yaml", HabitsSchema())
