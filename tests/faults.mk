# Reliability end to end: fault injection against the emulators and a
# load test (tests/e2e/test_faults.py, tests/e2e/test_load.py).
TESTS += tests/e2e/test_faults.py
TESTS += tests/e2e/test_load.py
