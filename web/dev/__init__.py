"""開発用メールボックス (/dev/mailbox): mounted only by ``rokin dev`` (``settings.dev_mailbox``)."""
