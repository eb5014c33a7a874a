"""Benchmarks (``make bench``): measurements that report, never gate. Not collected by pytest."""
