"""AWS facts more than one policy relies on, named once."""

ACCOUNT_CONCURRENCY_LIMIT = 1000
"""The default regional Lambda concurrency quota of an AWS account."""

UNRESERVED_FLOOR = 100
"""AWS keeps at least this many executions unreserved: reservations beyond limit - 100 are refused."""
