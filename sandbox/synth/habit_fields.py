"""The marshmallow fields of the habits fixture (:mod:`sandbox.synth.habits`): ranges,
money in cents, probabilities, and merchant ids checked against ``merchants.yaml``."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from sandbox import catalog
from sandbox.synth.context import cents


def _ordered(pair: list) -> None:
    if pair[0] > pair[1]:
        raise ma.ValidationError("The first bound must not exceed the second.")


class Tuple(fields.List):
    """A list, loaded as a tuple."""

    def _deserialize(self, value, attr, data, **kwargs) -> tuple:
        return tuple(super()._deserialize(value, attr, data, **kwargs))


class Pair(Tuple):
    """A ``[low, high]`` pair."""

    def __init__(self, inner: fields.Field, description: str, **kwargs) -> None:
        super().__init__(inner, validate=[validate.Length(equal=2), _ordered],
                         metadata={"description": description}, **kwargs)


class Cents(fields.String):
    """A non-negative USD amount written as a decimal string, loaded as integer cents."""

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        text = super()._deserialize(value, attr, data, **kwargs)
        catalog.non_negative_decimal(text)
        return cents(text)


def probability(description: str, **kwargs) -> fields.Float:
    return fields.Float(validate=validate.Range(0, 1), metadata={"description": description},
                        **kwargs)


def positive(description: str, **kwargs) -> fields.Float:
    return fields.Float(validate=validate.Range(0, min_inclusive=False),
                        metadata={"description": description}, **kwargs)


def count_range(description: str, **kwargs) -> Pair:
    return Pair(fields.Integer(validate=validate.Range(0)), description, **kwargs)


def day_range(description: str, **kwargs) -> Pair:
    return Pair(fields.Integer(validate=validate.Range(1, 28)), description, **kwargs)


def share_range(description: str, **kwargs) -> Pair:
    return Pair(fields.Float(validate=validate.Range(0)), description, **kwargs)


def money_range(description: str, **kwargs) -> Pair:
    return Pair(Cents(), description, **kwargs)


def hour_window(**kwargs) -> Pair:
    return Pair(fields.Float(validate=validate.Range(0, 24)),
                "Window of the day, [first, last] UTC hours (23.9 = 23:54).", **kwargs)


class MerchantIds:
    """Validator: every id is a merchant of ``merchants.yaml`` in one of ``categories`` (and
    with fixed ``plans``, or shipped orders, when required)."""

    def __init__(self, *categories: str, plans: bool = False, ships: bool = False) -> None:
        self.categories, self.plans, self.ships = categories, plans, ships

    def __call__(self, value) -> None:
        known = {merchant["id"]: merchant for merchant in catalog.merchant_catalogue()["merchants"]}
        for merchant_id in [value] if isinstance(value, str) else value:
            merchant = known.get(merchant_id)
            if merchant is None:
                raise ma.ValidationError(f"{merchant_id}: not a merchant of merchants.yaml.")
            if merchant["category"] not in self.categories:
                raise ma.ValidationError(f"{merchant_id}: category {merchant['category']!r}, "
                                         f"expected one of {list(self.categories)}.")
            if self.plans and not merchant["plans"]:
                raise ma.ValidationError(f"{merchant_id}: has no plans.")
            if self.ships and not merchant["ships"]:
                raise ma.ValidationError(f"{merchant_id}: does not ship orders.")


def merchant(description: str, *categories: str, **kwargs) -> fields.String:
    """One merchant id, of one of ``categories``."""
    return fields.String(required=True, validate=MerchantIds(*categories, **kwargs),
                         metadata={"description": description})


def merchants(description: str, *categories: str, **kwargs) -> Tuple:
    """A non-empty list of merchant ids, of ``categories``."""
    return Tuple(fields.String(), required=True,
                 validate=[validate.Length(min=1), MerchantIds(*categories, **kwargs)],
                 metadata={"description": description})


def nested(schema, description: str, **kwargs) -> fields.Nested:
    return fields.Nested(schema, required=True, metadata={"description": description}, **kwargs)
