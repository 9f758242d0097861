"""The Lambda handlers of the reference stack, inline: nothing to build, nothing to upload by hand.

They are deliberately tiny; the defences are in the infrastructure around them (components.py).
"""

import pulumi

REFRESH_CACHE = """
import json


def handler(event, context):
    # The webhook sender fires once per changed record; with reserved concurrency 1 the calls queue up
    # behind one instance (and the stage throttle answers the excess with 429s the sender retries).
    print(json.dumps({"refresh": "cache", "body": event.get("body")}))
    return {"statusCode": 202, "body": json.dumps({"accepted": True})}
"""

REPORT = """
import json
import time


def handler(event, context):
    # Only callers with IAM rights (lambda:InvokeFunctionUrl) reach this: the function URL uses AWS_IAM.
    return {"statusCode": 200, "body": json.dumps({"generatedAt": int(time.time())})}
"""

EXPORTS = """
import json


def handler(event, context):
    # Every path of the exports API lands here (ANY / and ANY /{proxy+}); building an export can take up to 50 s,
    # which the Regional API's 60 s integration timeout waits for.
    return {"statusCode": 200, "body": json.dumps({"path": event.get("path"), "export": []})}
"""

ITEMS = """
import json


def handler(event, context):
    # The JWT authorizer has checked the Cognito token before this runs; its claims arrive with the request.
    claims = event.get("requestContext", {}).get("authorizer", {}).get("jwt", {}).get("claims", {})
    return {"statusCode": 200, "body": json.dumps({"items": [], "for": claims.get("sub")})}
"""

ORDERS = """
import json


def handler(event, context):
    # API Gateway has checked the API key against the usage plan before this runs.
    return {"statusCode": 200, "body": json.dumps({"orders": []})}
"""

CATALOG = """
import json


def handler(event, context):
    claims = event.get("requestContext", {}).get("authorizer", {}).get("jwt", {}).get("claims", {})
    return {"statusCode": 200, "body": json.dumps({"catalog": [], "for": claims.get("sub")})}
"""

MESSAGES = """
import json


def handler(event, context):
    route = event.get("requestContext", {}).get("routeKey")
    return {"statusCode": 200, "body": json.dumps({"route": route})}
"""

CONNECT_AUTHORIZER = """
import hmac
import os


def handler(event, context):
    # $connect is the only moment a WebSocket client is authorized: no valid token, no connection.
    expected = os.environ.get("CONNECT_TOKEN", "")
    given = (event.get("queryStringParameters") or {}).get("token", "")
    effect = "Allow" if expected and hmac.compare_digest(given, expected) else "Deny"
    statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}
    return {"principalId": "websocket-client", "policyDocument": {"Version": "2012-10-17", "Statement": [statement]}}
"""


def archive(source: str) -> pulumi.AssetArchive:
    """A deployment package holding one file, index.py (so the handler is `index.handler`)."""
    return pulumi.AssetArchive({"index.py": pulumi.StringAsset(source)})
