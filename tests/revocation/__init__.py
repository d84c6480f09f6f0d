"""Issue 5: revocation — rules, written requests, direct revocations, OCSP."""
