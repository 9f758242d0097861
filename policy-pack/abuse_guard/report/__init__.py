"""Compliance reports: a Run in, text out (HTML, JSON, JUnit XML, SARIF, Markdown).

model.py computes what every format says (counts, verdict, gate) once, as a `Report`; html.py and
markdown.py (from templates/), json_report.py (whose output schema/ describes), junit.py and sarif.py each
render a `Report` to text. Nothing here writes a file: `python -m abuse_guard report` (commands/report.py)
renders every format of every Run, then writes the whole set at once (files/atomic.py).
"""
