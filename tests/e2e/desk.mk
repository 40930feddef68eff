# End-to-end tests of the desk features (templates, escalation, webhooks,
# response-time targets, out-of-hours acknowledgement).
TESTS += tests/e2e/test_desk.py
