"""Commands for innovation assessment and the case library (issue 4)."""
