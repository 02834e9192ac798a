#!/usr/bin/env python3
"""Runs the fault tests (t/fault/test_*.py) against a running stack, like
t/integration/run.py (whose runner and helpers they use).  They are slow
and take the database down, so dev/test runs them once, after the
integration suite, as the CI step `fault`.  The last line printed is
`fault: N passed, M failed`.

    set -a; . "$MCOLL_VAR/env"; set +a
    python3 t/fault/run.py [PATTERN...]
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import run  # noqa: E402  (t/integration/run.py)

if __name__ == "__main__":
    sys.exit(run.main(sys.argv[1:], start_dir=HERE, label="fault"))
