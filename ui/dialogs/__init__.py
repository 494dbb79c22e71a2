"""dialogs of the Arobase window."""
