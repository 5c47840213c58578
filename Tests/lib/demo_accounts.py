"""The demo's sign-ins as `luotsi demo --credentials-file` writes them, for the scripts that
sign in as each role (Tests/api, Tests/fuzz, Tests/security)."""

import re

ROLE_LINE = re.compile(r"\s*(platform admin|management|lead|staff)\s+(\S+@\S+)\s+(\S+)\s*$")


def read(path):
    """{"platform" | "management" | "lead" | "staff": (email, password)} from lines
    "  <role words>  <email>  <password>"."""
    accounts = {}
    for line in open(path, encoding="utf-8"):
        match = ROLE_LINE.match(line)
        if match:
            accounts[match.group(1).split()[0]] = (match.group(2), match.group(3))
    return accounts
