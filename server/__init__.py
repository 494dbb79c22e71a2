"""The association's reference server: receives every validated dossier exactly once, with a signed receipt.

Shares with the desktop app only the wire format in ``sync/`` and the edition files; never imports
``app``, ``localdb`` or ``ui``. Engines are chosen by configuration (``server.settings``), never by code.
"""
