#!/usr/bin/env python3
"""Runs the cluster tests (t/cluster/test_*.py) against the cluster stack
of t/cluster/run, with t/integration/run.py's runner and helpers.  The last
line printed is `galera: N passed, M failed`.

    set -a; . "$MCOLL_VAR/env"; set +a
    python3 t/cluster/run.py [PATTERN...]
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import run  # noqa: E402  (t/integration/run.py)

if __name__ == "__main__":
    sys.exit(run.main(sys.argv[1:], start_dir=HERE, label="galera"))
