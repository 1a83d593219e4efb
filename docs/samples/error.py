"""Fails on purpose: stderr arrives apart from stdout, and the job ends with exit code 3."""
import sys

print("about to divide by zero")
try:
    1 / 0
except ZeroDivisionError as e:
    print(f"error: {e}", file=sys.stderr)
    sys.exit(3)
