#!/usr/bin/env python3
"""Runs the mcoll integration suite against a running stack.

    set -a; . "$MCOLL_VAR/env"; set +a
    python3 t/integration/run.py [PATTERN...]

PATTERNs select tests by substring of their full name
(module.Class.method), e.g. `test_auth` or `IdorTest`.  The last line printed
is always `integration: N passed, M failed`; the exit status is 1 when M > 0.
Skipped tests count as failed: nothing may hide.
"""

import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class Result(unittest.TextTestResult):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.bad = {}       # test id -> reason
        self.ran = set()

    def startTest(self, test):
        self.ran.add(test.id())
        super().startTest(test)

    def _mark(self, test, why):
        self.bad.setdefault(test.id(), why)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._mark(test, "fail")

    def addError(self, test, err):
        super().addError(test, err)
        self._mark(test, "error")

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._mark(test, "skipped (not allowed): %s" % reason)

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._mark(test, "unexpected success")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._mark(test, "subtest fail")


def main(argv, start_dir=HERE, label="integration"):
    """Runs the test_*.py of start_dir (t/fault/run.py passes its own)."""
    sys.path.insert(0, HERE)
    sys.path.insert(0, start_dir)
    loader = unittest.TestLoader()
    if argv:
        loader.testNamePatterns = ["*%s*" % p for p in argv]
    suite = loader.discover(start_dir, pattern="test_*.py", top_level_dir=start_dir)
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2, resultclass=Result)
    t0 = time.time()
    result = runner.run(suite)
    failed = len(result.bad)
    passed = len(result.ran - set(result.bad))
    if result.testsRun == 0 and failed == 0:
        print("no tests selected", file=sys.stdout)
        failed = 1
    if result.bad:
        print("\nnot passed:")
        for k in sorted(result.bad):
            print("  %s: %s" % (k, result.bad[k]))
    print("time: %.1fs" % (time.time() - t0))
    sys.stdout.flush()
    print("%s: %d passed, %d failed" % (label, passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
