"""JUnit XML: one test suite per policy, one test case per finding, so any CI system can show and gate on it.

fail -> <failure> (type = the policy's enforcement level); unknown, not-applicable and exempt ->
<skipped> with the outcome and message, so an unknown shows up as "not run", never as a pass.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..findings import Finding, Outcome
from .model import Report

# Characters XML 1.0 cannot carry at all, not even escaped (control characters other than tab and newlines).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def render(report: Report) -> str:
    run = report.run
    by_policy: dict[str, list[Finding]] = {p.id: [] for p in report.policies}
    for finding in run.findings:
        by_policy[finding.policy].append(finding)
    root = ET.Element("testsuites", name=_xml(f"abuse-guard {run.project}/{run.stack}"))
    _totals(root, list(run.findings))
    for policy_id, findings in by_policy.items():
        suite = ET.SubElement(root, "testsuite", name=_xml(policy_id), timestamp=_xml(run.generated_at))
        _totals(suite, findings)
        # where the findings come from (an offline preview's source names its outputs model), as every format says
        ET.SubElement(ET.SubElement(suite, "properties"), "property", name="source", value=_xml(run.source))
        for finding in findings:
            _testcase(suite, report, finding)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _totals(element: ET.Element, findings: list[Finding]) -> None:
    skipped = sum(f.outcome not in (Outcome.PASS, Outcome.FAIL) for f in findings)
    element.set("tests", str(len(findings)))
    element.set("failures", str(sum(f.outcome is Outcome.FAIL for f in findings)))
    element.set("errors", "0")
    element.set("skipped", str(skipped))
    element.set("time", "0")


def _testcase(suite: ET.Element, report: Report, finding: Finding) -> None:
    case = ET.SubElement(suite, "testcase", classname=_xml(finding.policy), name=_xml(finding.urn), time="0")
    message = _xml(finding.message)
    if finding.outcome is Outcome.FAIL:
        remediation = report.policy[finding.policy].remediation
        failure = ET.SubElement(case, "failure", message=message, type=_xml(report.enforcement(finding)))
        failure.text = f"{message}\n\nRemediation:\n{_xml(remediation)}" if remediation else message
    elif finding.outcome is not Outcome.PASS:
        ET.SubElement(case, "skipped", message=f"{finding.outcome.value}: {message}")
