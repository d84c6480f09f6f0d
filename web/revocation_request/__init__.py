"""電子証明書の失効依頼 from the login screen (issue 5 §2): a master user's written revocation request,
reached with ID + password. Its own blueprint, ``revocation_request``, open to anyone."""
