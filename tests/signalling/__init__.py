"""Receivers of the task signals, installed only by the worker tests that want them.

Most worker tests run without receivers of their own, as most projects do.
"""
