"""How figures are written for a person: money, counts, rates. Used by the cost model's messages and every report."""

from __future__ import annotations


def dollars(value: float) -> str:
    return f"${value:,.2f}"


def amount(value: float) -> str:
    """A count or rate for a message: 150,000 or 2.5."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def per_second(rate: float) -> str:
    return f"{amount(rate)} request/s" if rate == 1 else f"{amount(rate)} requests/s"


def requests(count: int) -> str:
    return "1 request" if count == 1 else f"{count:,} requests"


def keys_of(count: int) -> str:
    return "1 API key" if count == 1 else f"{count:,} API keys"
