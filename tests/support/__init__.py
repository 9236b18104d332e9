"""Servers, proxies and browser helpers that tests and benchmarks share (plain modules, no fixtures)."""
