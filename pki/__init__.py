"""PKI in one place: certificate building, key and certificate files, TLS contexts, the development CA.

Issuance, CRL and OCSP for the product's client certificates are added here too (issue 4).
"""
