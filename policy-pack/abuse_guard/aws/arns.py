"""Amazon Resource Names read by field, and which callers an ARN, an account or a principal can stand for.

`arn:partition:service:region:account-id:resource`: the account field names the owner, and is empty for
services whose resource names are global (an S3 bucket: `arn:aws:s3:::name`). A pattern (`*`, `?`) in the
account field matches every account, so it scopes no more than `*` itself.
Sources: AWS General Reference / IAM User Guide, "Amazon Resource Names (ARNs)" (format, and which
services omit the account); AWS Lambda Developer Guide, "Working with resource-based IAM policies in
Lambda" (SourceArn, SourceAccount, PrincipalOrgID; "for Amazon S3 ... specify SourceAccount, because the
bucket ARN does not contain the account ID").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ACCOUNT_ID = re.compile(r"\d{12}")
ORGANIZATION_ID = re.compile(r"o-[a-z0-9]{10,32}")
SERVICE_PRINCIPAL = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)*\.amazon(aws)?\.com(\.cn)?")

ACCOUNTLESS_ARN_SERVICES = frozenset({"s3.amazonaws.com"})
"""Service principals whose source ARNs name no account (S3 bucket ARNs), so SourceArn alone does not tie the
grant to an owner: whoever creates a bucket of that name in another account matches it."""


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def names_one_account(self) -> bool:
        """Whether the account field is one concrete account ID (a pattern or nothing matches every account)."""
        return ACCOUNT_ID.fullmatch(self.account) is not None

    @property
    def names_no_account(self) -> bool:
        return self.account == ""


def parse(value: str) -> Arn | None:
    """The fields of an ARN, or None when `value` is not one (fewer than six `:`-separated fields)."""
    parts = value.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    return Arn(*parts[1:])


PARTITIONS = (
    ("us-gov-", "aws-us-gov"),
    ("cn-", "aws-cn"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-iso-", "aws-iso"),
)
"""The partition of a Region by the prefix of its code, before the commercial `aws` (AWS General Reference, "Amazon
Resource Names (ARNs)": partition; "AWS Regions")."""
COMMERCIAL_GEOGRAPHIES = frozenset({"af", "ap", "ca", "eu", "il", "me", "mx", "sa", "us"})
"""The geography prefixes of the commercial Regions' codes (partition `aws`)."""


def partition_of(region: str) -> str | None:
    """The partition of a Region code (`aws`, `aws-cn`, `aws-us-gov`, ...); None for a Region of no partition
    listed here (a new one)."""
    for prefix, partition in PARTITIONS:
        if region.startswith(prefix):
            return partition
    return "aws" if region.split("-", 1)[0] in COMMERCIAL_GEOGRAPHIES else None
