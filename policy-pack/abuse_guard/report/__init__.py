"""Compliance reports: a Run in, files out (HTML, JSON, JUnit XML, SARIF, Markdown).

model.py computes what every format says (counts, verdict, gate) once; each format module renders
a `Report` to text; files.py writes them atomically; command.py is `python -m abuse_guard report`.
"""
