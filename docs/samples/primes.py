"""Writes an output file: primes.txt comes back to you with the job's output."""
def primes(limit):
    sieve = bytearray([1]) * (limit + 1)
    sieve[0:2] = b"\x00\x00"
    for i in range(2, int(limit ** 0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytearray(len(sieve[i * i::i]))
    return [i for i, is_prime in enumerate(sieve) if is_prime]

found = primes(200_000)
with open("primes.txt", "w") as out:
    out.write("\n".join(map(str, found)) + "\n")
print(f"{len(found)} primes below 200000 written to primes.txt; the largest is {found[-1]}")
