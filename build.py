#!/usr/bin/env python3
"""Build, check and release the living review: see `python build.py --help`."""
import sys

from livingreview.cli import main

if __name__ == "__main__":
    sys.exit(main())
