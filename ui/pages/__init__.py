"""pages of the Arobase window."""
