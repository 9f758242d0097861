"""Errors caused by the user's input (config, files, programs): shown as one line, exit code 2."""


class UserError(Exception):
    """Bad input; the message says what is wrong and where (file, line, policy, field)."""
