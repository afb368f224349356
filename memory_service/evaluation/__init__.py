"""Offline evaluation against public long-term memory benchmarks (LongMemEval, LoCoMo).

`datasets` reads the benchmarks' files unchanged and builds their gold sets; `metrics` holds the
pure retrieval metrics, pinned to the benchmarks' own definitions so our numbers are comparable
with published ones.
"""
