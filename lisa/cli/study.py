"""Commands over study data and network analysis: demo, generate, validate, analyse, export."""
