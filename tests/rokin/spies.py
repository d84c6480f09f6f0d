"""Spies on use-case functions: what ``rokin simulate`` and ``rokin admin sample-data`` did went through
the same functions the pages call (``usecases``), proven by wrapping them and comparing results."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from usecases import issuance, revocation


@dataclass
class UseCaseCalls:
    issued_serials: list[str] = field(default_factory=list)  # usecases.issuance.issue_certificate
    filed_numbers: list[str] = field(default_factory=list)  # usecases.revocation.file_request


@contextmanager
def spying_on_use_cases() -> Iterator[UseCaseCalls]:
    calls = UseCaseCalls()

    def spy(original: Callable[..., Any], record: Callable[[Any], None]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)
            record(result)
            return result
        return wrapper

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(issuance, "issue_certificate", spy(
            issuance.issue_certificate, lambda delivery: calls.issued_serials.append(delivery.certificate.serial)))
        patch.setattr(revocation, "file_request", spy(
            revocation.file_request, lambda filed: calls.filed_numbers.append(filed.number)))
        yield calls
