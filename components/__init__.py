"""Streaming Lab's logic: providers, the shared streaming path, metrics and charts."""
