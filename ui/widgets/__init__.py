"""widgets of the Arobase window."""
