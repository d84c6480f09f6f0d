"""Revocation pages (issue 5): the master user revokes a general user's certificate, the login
screen's 電子証明書の失効依頼, and the Rokin staff inbox. One blueprint, ``revocation``."""
