"""Sandbank's resources (the v1 representation) in the shapes of the UK Open Banking
Account and Transaction API 4.0, with every code taken from the published document's code
lists. docs/dialects-ukob.md has the same table in words."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from sandbox.clock import iso
from sandbox.models import Consent
from sandbox.vocabulary import LIABILITIES

#: Sandbank consent status → ``OBReadConsentResponse1.Data.Status`` (ISO 20022 codes).
CONSENT_STATUS = {"awaiting_authorization": "AWAU", "authorized": "AUTH", "rejected": "RJCT",
                  "revoked": "CANC", "expired": "EXPD"}
#: Account type → ``AccountTypeCode`` (``OBExternalAccountSubType1Code``).
ACCOUNT_TYPE_CODE = {"checking": "CACC", "savings": "SVGS", "credit_card": "CARD",
                     "loan": "LOAN", "mortgage": "MORT"}
#: Account status → ``OBInternalAccountStatus1Code``.
ACCOUNT_STATUS = {"open": "Enabled", "closed": "Deleted"}
#: Transaction status → ``ExternalEntryStatus1Code``.
ENTRY_STATUS = {"posted": "BOOK", "pending": "PDNG"}
#: Channel → ISO 20022 bank transaction code (family, sub-family) for a debit and a credit.
BANK_TRANSACTION_CODE = {
    "in_store": (("CCRD", "POSD"), ("CCRD", "POSD")),
    "online": (("CCRD", "POSD"), ("CCRD", "POSD")),
    "atm": (("CCRD", "CWDL"), ("CCRD", "CDPT")),
    "ach": (("ICDT", "ADBT"), ("RCDT", "ACDT")),
    "transfer": (("ICDT", "BOOK"), ("RCDT", "BOOK")),
    "check": (("ICHQ", "CCHQ"), ("RCHQ", "CCHQ")),
    "fee": (("MDOP", "FEES"), ("MCOP", "FEES")),
    "interest": (("MDOP", "INTR"), ("MCOP", "INTR")),
}
INTERIM_AVAILABLE, INTERIM_BOOKED, OPENING_BOOKED = "ITAV", "ITBD", "OPBD"
#: The document's pattern of a phone number (``PhoneNumber_1``; JSON Schema patterns search).
PHONE = re.compile(r"\+[0-9]{1,3}-[0-9()+\-]{1,30}")


def instant(text: str | None) -> str | None:
    """A v1 instant (``...Z``) as OB writes date-times (``...+00:00``)."""
    return None if text is None else text.replace("Z", "+00:00")


def day_from(day: date) -> str:
    """The first instant of a day."""
    return f"{day.isoformat()}T00:00:00+00:00"


def day_until(day: date) -> str:
    """The last second of a day."""
    return f"{day.isoformat()}T23:59:59+00:00"


def signed(amount: str, currency: str, *, owed: bool = False) -> dict:
    """``CreditDebitIndicator`` and ``Amount`` of a signed v1 amount; an amount ``owed`` (a
    liability's balance) is a debit when positive."""
    value = Decimal(amount)
    debit = value > 0 if owed else value < 0
    return {"CreditDebitIndicator": "Debit" if debit else "Credit",
            "Amount": {"Amount": f"{abs(value):.2f}", "Currency": currency}}


def consent(row: Consent, permissions: list[str], now: datetime) -> dict:
    """``OBReadConsentResponse1.Data`` of a consent at ``now``."""
    status = row.effective_status(now)
    if status == "awaiting_authorization" and row.expires_at <= now:
        status = "expired"
    updated = {"authorized": row.authorized_at, "revoked": row.revoked_at,
               "expired": row.expires_at}.get(status) or row.created_at
    data = {"ConsentId": row.id, "CreationDateTime": instant(iso(row.created_at)),
            "Status": CONSENT_STATUS[status], "StatusUpdateDateTime": instant(iso(updated)),
            "Permissions": permissions, "ExpirationDateTime": instant(iso(row.expires_at))}
    if row.transaction_from is not None:
        data["TransactionFromDateTime"] = day_from(row.transaction_from)
    if row.transaction_to is not None:
        data["TransactionToDateTime"] = day_until(row.transaction_to)
    return data


def account(body: dict, detail: bool) -> dict:
    """``OBAccount6`` of a v1 account; ``detail`` (``ReadAccountsDetail``) adds the account
    identification: a masked card number, or the routing number and the masked account."""
    shown = {"AccountId": body["id"], "Status": ACCOUNT_STATUS[body["status"]],
             "Currency": body["currency"], "AccountCategory": "Personal",
             "AccountTypeCode": ACCOUNT_TYPE_CODE[body["type"]],
             "Description": body["name"][:35],
             "OpeningDate": day_from(date.fromisoformat(body["opened_on"]))}
    if body.get("nickname"):
        shown["Nickname"] = body["nickname"][:70]
    if detail:
        if body["type"] == "credit_card":
            scheme, identification = "UK.OBIE.PAN", "XXXXXXXXXXXX" + body["mask"]
        else:
            scheme, identification = "UK.OBIE.BBAN", body["routing_number"] + "XXXX" + body["mask"]
        shown["Account"] = [{"SchemeName": scheme, "Identification": identification,
                             "Name": body["name"]}]
    return shown


def balances(account_id: str, account_type: str, body: dict, opening: dict) -> list[dict]:
    """The ``OBReadBalance1`` entries of a v1 balance: ``ITBD`` (booked, ``current``),
    ``OPBD`` (booked at the start of the day, ``opening``) and, where the account has one,
    ``ITAV`` (``available``, with a card's credit line)."""
    owed = account_type in LIABILITIES
    at = instant(body["as_of"])
    found = [{"AccountId": account_id, "Type": INTERIM_BOOKED, "DateTime": at,
              **signed(body["current"], body["currency"], owed=owed)},
             {"AccountId": account_id, "Type": OPENING_BOOKED,
              "DateTime": instant(opening["as_of"]),
              **signed(opening["current"], opening["currency"], owed=owed)}]
    if body.get("available") is not None:
        entry = {"AccountId": account_id, "Type": INTERIM_AVAILABLE, "DateTime": at,
                 **signed(body["available"], body["currency"])}
        if body.get("credit_limit") is not None:
            entry["CreditLine"] = [{"Included": True, "Type": "Credit", "Amount": {
                "Amount": body["credit_limit"], "Currency": body["currency"]}}]
        found.append(entry)
    return found


def transaction(body: dict, account_type: str, detail: bool) -> dict:
    """``OBTransaction6`` of a v1 transaction; ``detail`` (``ReadTransactionsDetail``) adds
    the description, the merchant and the running balance."""
    money = signed(body["amount"], body["currency"])
    family, sub = BANK_TRANSACTION_CODE[body["channel"]][money["CreditDebitIndicator"] == "Credit"]
    booked = body["status"] == "posted"
    shown = {"AccountId": body["account_id"], "TransactionId": body["id"],
             "Status": ENTRY_STATUS[body["status"]],
             "TransactionMutability": "Immutable" if booked else "Mutable",
             "BookingDateTime": instant(body["authorized_at"]), **money,
             "BankTransactionCode": {"Code": family, "SubCode": sub},
             "ProprietaryBankTransactionCode": {"Code": body["channel"], "Issuer": "Sandbank"}}
    if booked:
        shown["ValueDateTime"] = instant(body["posted_at"])
    if not detail:
        return shown
    if body["description"]:
        shown["TransactionInformation"] = body["description"][:500]
    if body["merchant"] is not None:
        merchant = {"MerchantName": body["merchant"]["name"][:350]}
        if body["merchant"].get("mcc"):
            merchant["MerchantCategoryCode"] = body["merchant"]["mcc"]
        shown["MerchantDetails"] = merchant
    if body["running_balance"] is not None:
        shown["Balance"] = {"Type": INTERIM_BOOKED, **signed(
            body["running_balance"], body["currency"], owed=account_type in LIABILITIES)}
    return shown


def party(body: dict, account_role: bool = False) -> dict:
    """``OBParty2`` of a v1 identity; ``account_role`` adds the holder's role (the party of
    an account). A phone number not in the document's ``+1-...`` form is left out."""
    address = body["address"]
    phone = body["phone"] if body["phone"] and PHONE.search(body["phone"]) else None
    shown = {"PartyId": body["id"], "PartyNumber": body["username"][:35], "PartyType": "Sole",
             "Name": body["name"][:350], "FullLegalName": body["name"][:350],
             "EmailAddress": (body["email"] or "")[:256], "Mobile": phone,
             "Address": [{key: value for key, value in {
                 "AddressType": "HOME", "AddressLine": [address["line1"][:70]],
                 "TownName": address["city"], "CountrySubDivision": address["region"],
                 "PostCode": address["postal_code"], "Country": address["country"],
             }.items() if value}]}
    if account_role:
        shown["AccountRole"] = "UK.OBIE.Principal"
    return {key: value for key, value in shown.items() if value}
