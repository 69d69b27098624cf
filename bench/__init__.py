"""Benchmarks: run with `bash bench/run.sh`; they print their figures (not part of the tests)."""
