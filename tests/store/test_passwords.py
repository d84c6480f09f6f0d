"""argon2id hashing: real hashes, and no more of them at once than the machine has cores."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import argon2

from store import passwords


def test_a_hash_verifies_its_password_only():
    stored = passwords.hash_password("Correct-horse-1")
    assert passwords.verify_password(stored, "Correct-horse-1")
    assert not passwords.verify_password(stored, "Correct-horse-2")
    assert not passwords.verify_password(None, "Correct-horse-1")
    assert not passwords.verify_password("not a hash", "Correct-horse-1")


class _CountingHasher:
    """The real hasher, recording how many verifications run at the same moment."""

    def __init__(self) -> None:
        self._real = argon2.PasswordHasher(time_cost=2, memory_cost=8192, parallelism=1)
        self._lock = threading.Lock()
        self.running = 0
        self.most = 0

    def hash(self, password: str) -> str:
        return self._real.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            return self._real.verify(stored, password)
        finally:
            with self._lock:
                self.running -= 1


def test_a_burst_of_logins_hashes_at_most_one_password_per_core(monkeypatch):
    counting = _CountingHasher()
    monkeypatch.setattr(passwords, "_hasher", counting)
    stored = counting.hash("Correct-horse-1")
    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(lambda _: passwords.verify_password(stored, "Correct-horse-1"), range(64)))
    assert all(results)
    assert 1 <= counting.most <= (os.cpu_count() or 1)



def _queued(slots: passwords.FairSlots, count: int) -> None:
    while len(slots._waiting) < count:
        threading.Event().wait(0.001)


def test_waiting_hashes_are_served_in_arrival_order():
    slots = passwords.FairSlots(2)
    slots.__enter__()
    slots.__enter__()  # both slots taken
    served: list[int] = []

    def wait_then_record(number: int) -> None:
        with slots:
            served.append(number)

    waiters = []
    for number in range(8):  # each queues behind the one before
        thread = threading.Thread(target=wait_then_record, args=(number,))
        thread.start()
        waiters.append(thread)
        _queued(slots, number + 1)
    slots.__exit__()
    slots.__exit__()
    for thread in waiters:
        thread.join(10)
    assert served == list(range(8))


def test_a_thread_that_just_hashed_cannot_jump_the_queue():
    """threading.Semaphore lets the releasing thread take the slot back before the waiter it woke."""
    slots = passwords.FairSlots(1)
    served: list[str] = []
    slots.__enter__()
    waiter = threading.Thread(target=lambda: [slots.__enter__(), served.append("waiter"), slots.__exit__()])
    waiter.start()
    _queued(slots, 1)
    slots.__exit__()
    slots.__enter__()  # straight back in line: behind the waiter
    served.append("releaser")
    slots.__exit__()
    waiter.join(10)
    assert served == ["waiter", "releaser"]
