"""What the HTTPS server in front of the web (``rokin.serve``, or gunicorn behind nginx) hands it."""

# The WSGI environ key under which our own HTTPS server puts the client certificate of the TLS
# handshake (PEM), named as with nginx/Apache; ``web.certificates.client_certificate`` reads it.
CLIENT_CERT_KEY = "SSL_CLIENT_CERT"
