"""Files in and out, one module per job; import the one you need, so the policy pack loads only what it reads.

- inputs.py: opening an input (a file, a pipe, standard input) and reading it within limits, each failure one
  UserError naming the file and line.
- bounded_json.py: JSON text within limits of nesting and number size.
- bounded_yaml.py: YAML text within limits of aliases and expanded size (the pack's OpenAPI bodies).
- atomic.py: writing files and sets of files all at once.
"""
