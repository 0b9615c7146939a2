"""Itemised receipts: line items sum to the subtotal; subtotal + tax + tip + shipping = total."""
from __future__ import annotations

import random

from sandbox.synth.context import Merchant, money

FREE_SHIPPING_FROM = 3500
SHIPPING_FEES = (499, 599, 799)


def line_items(rng: random.Random, merchant: Merchant, count: int) -> tuple[list[dict], int]:
    """``count`` lines from the merchant's items; returns ``(lines, subtotal_cents)``."""
    lines = []
    subtotal = 0
    random = rng.random
    items = list(merchant.items)
    size = len(items)
    for index in range(min(count, size)):
        # A partial Fisher-Yates shuffle: ``count`` distinct items.
        chosen = index + int(random() * (size - index))
        items[index], items[chosen] = items[chosen], items[index]
        item = items[index]
        quantity = 1 if random() < 0.75 else 2 + int(random() * 2)
        unit = item.low + int(random() * (item.high - item.low + 1))
        total = unit * quantity
        subtotal += total
        lines.append({"sku": item.sku, "description": item.description, "quantity": quantity,
                      "unit_price": money(unit), "total": money(total)})
    return lines, subtotal


def charges(rng: random.Random, merchant: Merchant, subtotal: int, tax_rate: int,
            online: bool) -> tuple[int, int, int]:
    """``(tax, tip, shipping)`` in cents. ``tax_rate`` is in thousandths of a percent;
    groceries are untaxed, tips go on tipped merchants, shipping on small shipped orders."""
    tax = 0 if merchant.category == "groceries" else (subtotal * tax_rate + 50_000) // 100_000
    tip = (subtotal * (15 + int(rng.random() * 8)) + 50) // 100 if merchant.tips else 0
    shipping = 0
    if online and merchant.ships and subtotal < FREE_SHIPPING_FROM:
        shipping = SHIPPING_FEES[int(rng.random() * len(SHIPPING_FEES))]
    return tax, tip, shipping
