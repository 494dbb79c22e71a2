"""The association staff's web pages: server-rendered (Jinja2), French, behind a login with CSRF tokens."""
