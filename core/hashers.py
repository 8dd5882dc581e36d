"""The password hasher: Argon2id with parameters chosen by measurement (README "Security", ``bench/signin_bench.py``).

OWASP's first Argon2id setting (46 MiB, one pass, one lane) costs **≈60 ms of CPU** per sign-in on the 2-core
reference machine, against ≈280 ms for Django’s PBKDF2 at 1,000,000 iterations: a sign-in storm no longer
saturates the web workers, and a guess still costs an attacker 46 MiB of memory, which is what hurts a GPU farm.
Hashes made by an earlier hasher (PBKDF2) stay valid and are rewritten with these parameters at the next sign-in
(Django upgrades a hash whose hasher or parameters differ from the first entry of ``PASSWORD_HASHERS``).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class MeasuredArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 47_104  # KiB
    parallelism = 1
