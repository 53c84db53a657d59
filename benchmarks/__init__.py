"""Benchmarks: ``python -m benchmarks NAME`` runs one group; its last output line is one JSON object."""
