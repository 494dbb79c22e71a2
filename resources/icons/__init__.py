"""Arobase's icon: the SVG drawing and what tools/make_icons.py draws from it (PNG, ico, icns)."""
