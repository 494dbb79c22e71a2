"""The user guide shipped with Arobase (guide.html and its screenshots), read offline in the window."""
