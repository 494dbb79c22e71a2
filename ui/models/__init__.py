"""models of the Arobase window."""
