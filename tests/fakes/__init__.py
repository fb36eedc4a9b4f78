"""Fake provider servers for engine protocol tests (loopback only, started by each test)."""
