"""`aws.iam.get_policy_document` offline: the provider's own acceptance cases, byte for byte.

Each case is one of terraform-provider-aws's acceptance tests of the `aws_iam_policy_document` data source
(internal/service/iam/policy_document_data_source_test.go, the data source pulumi-aws wraps), its HCL
written as the arguments the engine sends (camelCase), with the JSON that test expects.
"""

from __future__ import annotations

import zlib
from typing import Any

import pytest

from abuse_guard.offline.recorder.policy_document import PolicyDocumentError, policy_document

BASIC_STATEMENTS: list[dict[str, Any]] = [
    {
        "sid": "1",
        "actions": ["s3:ListAllMyBuckets", "s3:GetBucketLocation"],
        "resources": ["arn:aws:s3:::*"],
    },
    {
        "actions": ["s3:ListBucket"],
        "resources": ["arn:aws:s3:::foo"],
        "conditions": [
            {"test": "StringLike", "variable": "s3:prefix", "values": ["home/", "", "home/&{aws:username}/"]}
        ],
        "notPrincipals": [{"type": "AWS", "identifiers": ["arn:blahblah:example"]}],
    },
    {
        "actions": ["s3:*"],
        "resources": ["arn:aws:s3:::foo/home/&{aws:username}", "arn:aws:s3:::foo/home/&{aws:username}/*"],
        "principals": [{"type": "AWS", "identifiers": ["arn:blahblah:example"]}],
    },
    {"effect": "Deny", "notActions": ["s3:*"], "notResources": ["arn:aws:s3:::*"]},
    {"effect": "Allow", "actions": ["kinesis:*"], "principals": [{"type": "AWS", "identifiers": ["*"]}]},
    {"effect": "Allow", "actions": ["firehose:*"], "principals": [{"type": "*", "identifiers": ["*"]}]},
]
BASIC_JSON = """{
  "Version": "2012-10-17",
  "Id": "policy_id",
  "Statement": [
    {
      "Sid": "1",
      "Effect": "Allow",
      "Action": [
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation"
      ],
      "Resource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::foo",
      "NotPrincipal": {
        "AWS": "arn:blahblah:example"
      },
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "home/",
            "",
            "home/${aws:username}/"
          ]
        }
      }
    },
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::foo/home/${aws:username}/*",
        "arn:aws:s3:::foo/home/${aws:username}"
      ],
      "Principal": {
        "AWS": "arn:blahblah:example"
      }
    },
    {
      "Effect": "Deny",
      "NotAction": "s3:*",
      "NotResource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "kinesis:*",
      "Principal": {
        "AWS": "*"
      }
    },
    {
      "Effect": "Allow",
      "Action": "firehose:*",
      "Principal": "*"
    }
  ]
}"""
BASIC_MINIFIED = (
    '{"Version":"2012-10-17","Id":"policy_id","Statement":[{"Sid":"1","Effect":"Allow","Action":["s3:ListAllMyBuckets",'
    '"s3:GetBucketLocation"],"Resource":"arn:aws:s3:::*"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":'
    '"arn:aws:s3:::foo","NotPrincipal":{"AWS":"arn:blahblah:example"},"Condition":{"StringLike":{"s3:prefix":'
    '["home/","","home/${aws:username}/"]}}},{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::foo/home/'
    '${aws:username}/*","arn:aws:s3:::foo/home/${aws:username}"],"Principal":{"AWS":"arn:blahblah:example"}},'
    '{"Effect":"Deny","NotAction":"s3:*","NotResource":"arn:aws:s3:::*"},{"Effect":"Allow","Action":"kinesis:*",'
    '"Principal":{"AWS":"*"}},{"Effect":"Allow","Action":"firehose:*","Principal":"*"}]}'
)

# The source test's first document: BASIC with two principals on the third statement.
SOURCE_STATEMENTS: list[dict[str, Any]] = [dict(s) for s in BASIC_STATEMENTS]
SOURCE_STATEMENTS[1] = {
    **BASIC_STATEMENTS[1],
    "conditions": [{"test": "StringLike", "variable": "s3:prefix", "values": ["home/", "home/&{aws:username}/"]}],
}
SOURCE_STATEMENTS[2] = {
    **BASIC_STATEMENTS[2],
    "principals": [{"type": "AWS", "identifiers": ["arn:blahblah:example", "arn:blahblahblah:example"]}],
}
SOURCE_JSON = """{
  "Version": "2012-10-17",
  "Id": "policy_id",
  "Statement": [
    {
      "Sid": "1",
      "Effect": "Allow",
      "Action": [
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation"
      ],
      "Resource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::foo",
      "NotPrincipal": {
        "AWS": "arn:blahblah:example"
      },
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "home/",
            "home/${aws:username}/"
          ]
        }
      }
    },
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::foo/home/${aws:username}/*",
        "arn:aws:s3:::foo/home/${aws:username}"
      ],
      "Principal": {
        "AWS": [
          "arn:blahblahblah:example",
          "arn:blahblah:example"
        ]
      }
    },
    {
      "Effect": "Deny",
      "NotAction": "s3:*",
      "NotResource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "kinesis:*",
      "Principal": {
        "AWS": "*"
      }
    },
    {
      "Effect": "Allow",
      "Action": "firehose:*",
      "Principal": "*"
    },
    {
      "Sid": "SourceJSONTest1",
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}"""


def json_of(**args: Any) -> str:
    return str(policy_document(args)["json"])


POLICY_A = json_of(
    statements=[
        {"sid": "", "effect": "Allow", "actions": ["foo:ActionOne"]},
        {"sid": "validSidOne", "effect": "Allow", "actions": ["bar:ActionOne"]},
    ]
)
POLICY_B = json_of(statements=[{"sid": "validSidTwo", "effect": "Deny", "actions": ["foo:ActionTwo"]}])
POLICY_C = json_of(statements=[{"sid": "", "effect": "Allow", "actions": ["bar:ActionTwo"]}])
OVERRIDE = json_of(statements=[{"sid": "SidToOverwrite", "actions": ["s3:*"], "resources": ["*"]}])

# provider acceptance test -> (arguments, the `json` it expects)
CASES: dict[str, tuple[dict[str, Any], str]] = {
    "basic": ({"policyId": "policy_id", "statements": BASIC_STATEMENTS}, BASIC_JSON),
    "source": (
        {
            "sourcePolicyDocuments": [json_of(policyId="policy_id", statements=SOURCE_STATEMENTS)],
            "statements": [{"sid": "SourceJSONTest1", "actions": ["*"], "resources": ["*"]}],
        },
        SOURCE_JSON,
    ),
    "source_list": (
        {"version": "2012-10-17", "sourcePolicyDocuments": [POLICY_A, POLICY_B, POLICY_C]},
        """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "foo:ActionOne"
    },
    {
      "Sid": "validSidOne",
      "Effect": "Allow",
      "Action": "bar:ActionOne"
    },
    {
      "Sid": "validSidTwo",
      "Effect": "Deny",
      "Action": "foo:ActionTwo"
    },
    {
      "Effect": "Allow",
      "Action": "bar:ActionTwo"
    }
  ]
}""",
    ),
    "source_conflicting": (
        {
            "sourcePolicyDocuments": [
                json_of(statements=[{"sid": "SourceJSONTestConflicting", "actions": ["iam:*"], "resources": ["*"]}])
            ],
            "statements": [{"sid": "SourceJSONTestConflicting", "actions": ["*"], "resources": ["*"]}],
        },
        """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "SourceJSONTestConflicting",
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}""",
    ),
    "override": (
        {
            "overridePolicyDocuments": [OVERRIDE],
            "statements": [
                {"actions": ["ec2:*"], "resources": ["*"]},
                {
                    "sid": "SidToOverwrite",
                    "actions": ["s3:*"],
                    "resources": ["arn:aws:s3:::somebucket", "arn:aws:s3:::somebucket/*"],
                },
            ],
        },
        """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "ec2:*",
      "Resource": "*"
    },
    {
      "Sid": "SidToOverwrite",
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": "*"
    }
  ]
}""",
    ),
    "source_blank_is_ignored": (
        {
            "sourcePolicyDocuments": [""],
            "statements": [{"sid": "SourceJSONTest2", "actions": ["*"], "resources": ["*"]}],
        },
        """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "SourceJSONTest2",
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}""",
    ),
}


@pytest.mark.parametrize(("args", "expected"), CASES.values(), ids=list(CASES))
def test_the_json_is_the_provider_s(args: dict[str, Any], expected: str) -> None:
    result = policy_document(args)
    assert result["json"] == expected
    assert result["id"] == str(zlib.crc32(expected.encode("utf-8")))


def test_the_minified_json_is_the_provider_s() -> None:
    assert policy_document({"policyId": "policy_id", "statements": BASIC_STATEMENTS})["minifiedJson"] == BASIC_MINIFIED


# arguments -> the provider's error
REFUSED = {
    "duplicate_sid": (
        {"statements": [{"sid": "A", "actions": ["s3:*"]}, {"sid": "A", "actions": ["s3:*"]}]},
        "writing IAM Policy Document: duplicate Sid (A). Remove the Sid or ensure the Sid is unique.",
    ),
    "duplicate_sid_among_sources": (
        {"sourcePolicyDocuments": [POLICY_A, json_of(statements=[{"sid": "validSidOne", "actions": ["x:Y"]}])]},
        "writing IAM Policy Document: merging source document 1: duplicate Sid (validSidOne) in "
        "source_policy_documents (statement 0). Remove the Sid or ensure Sids are unique.",
    ),
    "policy_variable_in_2008": (
        {"version": "2008-10-17", "statements": [{"actions": ["s3:*"], "resources": ["arn:aws:s3:::&{aws:username}"]}]},
        "found &{ sequence in (arn:aws:s3:::&{aws:username}), which is not supported in document version 2008-10-17",
    ),
}


@pytest.mark.parametrize(("args", "error"), REFUSED.values(), ids=list(REFUSED))
def test_what_the_provider_refuses_is_refused(args: dict[str, Any], error: str) -> None:
    with pytest.raises(PolicyDocumentError) as raised:
        policy_document(args)
    assert str(raised.value) == error
