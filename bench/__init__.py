"""Speed benches: each script runs alone and returns its rows to ``python -m bench`` (see bench/__main__.py)."""
