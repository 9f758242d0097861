"""AWS's numeric limits and defaults that rules and the cost model rely on, named once, each with its source."""

ACCOUNT_CONCURRENCY_LIMIT = 1000
"""Concurrent executions: the default regional Lambda concurrency quota of an AWS account.
Source: AWS Lambda Developer Guide, "Lambda quotas" (Concurrent executions)."""

UNRESERVED_FLOOR = 100
"""Concurrent executions AWS keeps unreserved: reservations beyond limit - 100 are refused, and so is provisioned
concurrency of a function without a reservation that would take the unreserved pool below 100.
Sources: AWS Lambda Developer Guide, "Configuring reserved concurrency" (UnreservedConcurrentExecutions);
"Configuring provisioned concurrency" (provisioned concurrency of a function without reserved concurrency comes out
of the unreserved pool, which keeps at least 100); anomalyco/sst#5829 (AWS refusing such a config)."""

LAMBDA_REQUESTS_PER_EXECUTION = 10
"""Requests/s: Lambda serves at most 10 requests per second per concurrent execution (reserved or account).
Source: AWS Lambda Developer Guide, "Lambda scaling behavior" (concurrency and requests per second)."""

DEFAULT_TIMEOUT = 3.0
"""Seconds: what AWS (and the provider) use when a function sets no timeout.
Source: AWS Lambda API Reference, CreateFunction (Timeout, default 3)."""

DEFAULT_MEMORY = 128.0
"""MB: what AWS (and the provider) use when a function sets no memorySize.
Source: AWS Lambda API Reference, CreateFunction (MemorySize, default 128)."""

TIMEOUT_RANGE = (1.0, 900.0)
"""Seconds: the least and the greatest timeout a function may have.
Source: AWS Lambda API Reference, CreateFunction (Timeout, minimum 1); "Lambda quotas" (function timeout 900 s)."""

MEMORY_RANGE = (128.0, 10_240.0)
"""MB: the least and the greatest memory a function may have.
Source: AWS Lambda Developer Guide, "Lambda quotas" (function memory allocation 128 MB to 10,240 MB)."""

INTEGRATION_TIMEOUT_MS = 29_000.0
"""Milliseconds: API Gateway's REST integration timeout when timeoutMilliseconds is not set.
Source: Amazon API Gateway Developer Guide, "Amazon API Gateway quotas" (integration timeout 50 ms - 29 s)."""

ACCOUNT_RATE_LIMIT = 10_000.0
"""Requests/s: API Gateway's default throttle per account and Region, shared by its REST, HTTP and WebSocket APIs.
Source: Amazon API Gateway Developer Guide, "Amazon API Gateway quotas" (throttle quota per account, per Region)."""

ACCOUNT_BURST_LIMIT = 5_000.0
"""Requests: the bucket capacity of that account throttle, the most requests it lets through at once.
Source: Amazon API Gateway Developer Guide, "Amazon API Gateway quotas" (the token bucket's maximum capacity)."""

SECONDS_PER_DAY = 86_400.0
