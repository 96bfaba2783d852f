"""The report command: lisa report STUDY_DIR (issue 5)."""
