#!/usr/bin/env python3
"""Runs tests against the cluster stack of t/cluster/run, with
t/integration/run.py's runner and helpers, and prints how long each test
took (slowest first) before the summary line.

    set -a; . "$MCOLL_VAR/env"; set +a
    python3 t/cluster/run.py [PATTERN...]                the cluster tests
                                                         (t/cluster/test_*.py);
                                                         last line `galera: N passed, M failed`
    python3 t/cluster/run.py --integration [PATTERN...]  the integration suite
                                                         (t/integration/test_*.py);
                                                         last line `integration: ...`
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
INTEGRATION = os.path.join(HERE, "..", "integration")
sys.path.insert(0, INTEGRATION)

import run  # noqa: E402  (t/integration/run.py)


class TimedResult(run.Result):
    """run.Result that records each test's seconds and prints them."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.seconds = {}
        self._t1 = None

    def _gap(self, before):
        # class and module set-up and tear-down run between tests
        if self._t1 is not None and time.time() - self._t1 >= 0.5:
            self.seconds["(set-up/tear-down before %s)" % before] = time.time() - self._t1

    def startTest(self, test):
        self._gap(test.id())
        self._t0 = time.time()
        super().startTest(test)

    def stopTest(self, test):
        super().stopTest(test)
        self._t1 = time.time()
        self.seconds[test.id()] = self._t1 - self._t0

    def stopTestRun(self):
        self._gap("the end")
        super().stopTestRun()
        self.stream.writeln("\nseconds per test (slowest first):")
        for name, s in sorted(self.seconds.items(), key=lambda kv: -kv[1]):
            self.stream.writeln("  %6.1f  %s" % (s, name))
        self.stream.flush()


if __name__ == "__main__":
    run.Result = TimedResult
    args = sys.argv[1:]
    if args[:1] == ["--integration"]:
        sys.exit(run.main(args[1:], start_dir=INTEGRATION, label="integration"))
    sys.exit(run.main(args, start_dir=HERE, label="galera"))
