#!/usr/bin/env python3
"""Assembles one pgbench script from Benchmarks/pgbench files (pgbench has no include).

Usage: pgbench_script.py FILE... > script.sql
Concatenates the files; a line `--include NAME WORD=TEXT` is replaced by the file NAME (in the
same folder) without its comment lines, with every WORD in it replaced by TEXT.
"""
import os
import sys


def expand(path):
    folder = os.path.dirname(path)
    out = []
    with open(path) as source:
        for line in source:
            if line.startswith("--include "):
                name, _, assignment = line[len("--include "):].rstrip("\n").partition(" ")
                word, _, text = assignment.partition("=")
                with open(os.path.join(folder, name)) as included:
                    body = "".join(text_line for text_line in included if not text_line.startswith("--"))
                out.append(body.replace(word, text) if word else body)
            else:
                out.append(line)
    return "".join(out)


if __name__ == "__main__":
    sys.stdout.write("".join(expand(path) for path in sys.argv[1:]))
