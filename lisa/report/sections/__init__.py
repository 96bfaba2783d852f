"""One builder per section of the locality report.

Each module reads the typed analysis result (and, for the innovations, the
assessments) and returns the plain data its template lays out
(:mod:`lisa.report.views`). The modules follow the report's order:

- :mod:`.executive` — page 1 of the board paper: who answered, the findings
  as a table with their headline numbers, the top recommendations;
- :mod:`.findings` — every finding in full, with its per-group table;
- :mod:`.recommendations` — the recommendations with their citations, and the
  bibliography of the documents they cite;
- :mod:`.network_map` — the static map picture and the key people by role;
- :mod:`.layers` — the layer picture and the layer and sector mixing;
- :mod:`.cores` — core consistency, the stable core, the groups outside it;
- :mod:`.intermediaries` — who is placed to carry an innovation on, and why;
- :mod:`.resilience` — reach lost when people leave;
- :mod:`.response` — who answered, by layer and sector;
- :mod:`.networks` — the networks in numbers;
- :mod:`.method` — caveats, definitions, settings.

The innovation assessments' view lives in :mod:`lisa.report.assessment`.
"""
