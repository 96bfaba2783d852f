"""The case library: the reports' cases as versioned data files (issue 4)."""
