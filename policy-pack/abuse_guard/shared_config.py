"""Config entries more than one policy declares, and the defaults the cost model shares with them, written once."""

from __future__ import annotations

from typing import Any

from .aws.limits import ACCOUNT_CONCURRENCY_LIMIT, UNRESERVED_FLOOR

ACCOUNT_CONCURRENCY: dict[str, Any] = {
    "type": "integer",
    "minimum": UNRESERVED_FLOOR + 1,
    "default": ACCOUNT_CONCURRENCY_LIMIT,
    "description": (
        "The account's regional concurrency quota (AWS default 1000); at least 101, because AWS keeps 100 "
        "executions unreserved."
    ),
}
"""`accountConcurrencyLimit`: Pulumi config is per policy, so each policy that needs it declares it."""

MAX_STAGE_RATE = 1000
"""stage-throttling's default maxRateLimit (requests/s): also the largest stage throttle a cost fix proposes."""

MAX_QUOTA_PER_DAY = 10000
"""usage-plan-limits' default maxQuotaPerDay (requests per API key): also the largest quota a cost fix proposes."""
