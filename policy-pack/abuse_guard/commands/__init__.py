"""The command line: each module parses its arguments and calls the pipeline and the report (cli.py dispatches)."""
