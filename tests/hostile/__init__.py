"""Hostile and broken input: malformed files, streams and devices, hostile names, odd output targets.

Every case must end in one clear line and exit 2 (or a correct result), with nothing half-written and
memory bounded; random props must never crash a rule or the pack (property-based tests, hypothesis).
"""
