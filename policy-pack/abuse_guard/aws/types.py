"""The Pulumi type tokens of the AWS resources abuse-guard reads (pulumi-aws v7 names).

Source: the pulumi-aws registry pages (https://www.pulumi.com/registry/packages/aws/api-docs/), one per
resource; the token is `aws:<module>/<resource>:<Resource>`.
"""

LAMBDA_FUNCTION = "aws:lambda/function:Function"
LAMBDA_ALIAS = "aws:lambda/alias:Alias"
LAMBDA_FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"
LAMBDA_PERMISSION = "aws:lambda/permission:Permission"
LAMBDA_PROVISIONED_CONCURRENCY = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"

REST_API = "aws:apigateway/restApi:RestApi"
REST_RESOURCE = "aws:apigateway/resource:Resource"
REST_METHOD = "aws:apigateway/method:Method"
REST_INTEGRATION = "aws:apigateway/integration:Integration"
REST_STAGE = "aws:apigateway/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
USAGE_PLAN = "aws:apigateway/usagePlan:UsagePlan"
USAGE_PLAN_KEY = "aws:apigateway/usagePlanKey:UsagePlanKey"
REST_API_POLICY = "aws:apigateway/restApiPolicy:RestApiPolicy"
"""A REST API's resource policy declared apart from the API (restApiId, policy)."""
REST_DOMAIN_NAME = "aws:apigateway/domainName:DomainName"
BASE_PATH_MAPPING = "aws:apigateway/basePathMapping:BasePathMapping"

HTTP_API = "aws:apigatewayv2/api:Api"
"""An API Gateway v2 API: HTTP or WebSocket, by its protocolType."""
API_ROUTE = "aws:apigatewayv2/route:Route"
HTTP_INTEGRATION = "aws:apigatewayv2/integration:Integration"
HTTP_STAGE = "aws:apigatewayv2/stage:Stage"
HTTP_DOMAIN_NAME = "aws:apigatewayv2/domainName:DomainName"
API_MAPPING = "aws:apigatewayv2/apiMapping:ApiMapping"

DOMAIN_NAMES = (REST_DOMAIN_NAME, HTTP_DOMAIN_NAME)
"""A custom domain name: one AWS resource, which either API Gateway version declares (and maps any API to)."""

LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
"""An Elastic Load Balancing v2 load balancer; `aws:alb/...` is pulumi-aws's alias of `aws:lb/...` (so below)."""
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
LISTENER_RULES = ("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule")
TARGET_GROUPS = ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")
TARGET_GROUP_ATTACHMENTS = (
    "aws:lb/targetGroupAttachment:TargetGroupAttachment",
    "aws:alb/targetGroupAttachment:TargetGroupAttachment",
)

REST_AUTHORIZER = "aws:apigateway/authorizer:Authorizer"
HTTP_AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer"
AUTHORIZERS = (REST_AUTHORIZER, HTTP_AUTHORIZER)
REST_DEPLOYMENT = "aws:apigateway/deployment:Deployment"
