"""Benchmark and load tools, outside the product.

`make bench` and `make loadtest` are scripts (run.py, loadtest.py, lists.py, common.py); the
Django app here holds what they need inside Django: the `generate_archive` command and the
constant baseline page. It is installed only in debug mode or with DJANGO_BENCH_TOOLS=1
(config/settings.py), never in production.
"""
