"""Streams its progress: each line reaches you while the script is still running."""
import time

for step in range(1, 6):
    print(f"step {step} of 5: computing...", flush=True)
    time.sleep(0.6)
print("done: 5 steps")
