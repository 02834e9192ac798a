#!/usr/bin/env python3
"""Runs the mcoll integration suite against a running stack.

    set -a; . "$MCOLL_VAR/env"; set +a
    python3 t/integration/run.py [PATTERN...]

PATTERNs select tests by substring of their full name
(module.Class.method), e.g. `test_auth` or `IdorTest`.  The last line printed
is always `integration: N passed, M failed`; the exit status is 1 when M > 0.
Skipped tests count as failed: nothing may hide.  MCOLL_SUITE_EXCLUDE
(substrings of test names, comma-separated) leaves tests out that do not
apply to the stack under test (t/cluster/run: those that hold a lock or
limit connections on one database server); they are listed, never counted.
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


def _without(suite, exclude):
    """suite without the tests whose id contains one of exclude."""
    kept, left_out = unittest.TestSuite(), []
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            sub, out = _without(t, exclude)
            kept.addTest(sub)
            left_out += out
        elif any(x in t.id() for x in exclude):
            left_out.append(t.id())
        else:
            kept.addTest(t)
    return kept, left_out


def main(argv, start_dir=HERE, label="integration"):
    """Runs the test_*.py of start_dir (t/fault/run.py passes its own)."""
    sys.path.insert(0, HERE)
    sys.path.insert(0, start_dir)
    loader = unittest.TestLoader()
    if argv:
        loader.testNamePatterns = ["*%s*" % p for p in argv]
    suite = loader.discover(start_dir, pattern="test_*.py", top_level_dir=start_dir)
    exclude = [x.strip() for x in os.environ.get("MCOLL_SUITE_EXCLUDE", "").split(",") if x.strip()]
    if exclude:
        suite, left_out = _without(suite, exclude)
        for name in left_out:
            print("not run on this stack (MCOLL_SUITE_EXCLUDE): %s" % name)
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
