#!/usr/bin/env python3
"""Build, check and release the living review: see `python build.py --help`."""
from livingreview.cli import run

if __name__ == "__main__":
    run()
