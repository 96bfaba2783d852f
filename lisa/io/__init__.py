"""Reading and writing study data: folders, workbooks, survey exports, exports.

* :func:`load_study` / :func:`check_study` — a study folder (``people.csv``,
  ``ties.csv``, optional ``relations.csv``) or an ``.xlsx`` workbook with the
  same sheets; see ``docs/formats.md``.
* :func:`study_from_records` — the same checks on Python lists of dicts.
* :func:`write_study` — a study back to a folder or workbook.
* :func:`read_survey_export` / :func:`merge_survey` / :func:`write_survey_ties`
  — the one-row-per-respondent shape survey tools export, matched to the
  roster, merged into a study (pure) and written to its folder.
* :func:`delete_person` / :func:`remove_person` — deletion on request.
* :func:`validate_study` — the load checks on an in-memory study.
* :func:`export_study` — GraphML, GEXF or CSV for Gephi, Kumu, UCINET…,
  optionally pseudonymised.
"""

from lisa.io.delete import Removal, delete_person, remove_person
from lisa.io.export import export_study
from lisa.io.folder import (
    check_study,
    load_study,
    study_from_records,
    validate_study,
    write_study,
)
from lisa.io.limits import ReadLimits
from lisa.io.survey import SurveyImport, merge_survey, read_survey_export, write_survey_ties
from lisa.io.tables import Table, read_csv, read_sheet

__all__ = [
    "ReadLimits",
    "Removal",
    "SurveyImport",
    "Table",
    "check_study",
    "delete_person",
    "export_study",
    "load_study",
    "merge_survey",
    "read_csv",
    "read_sheet",
    "read_survey_export",
    "remove_person",
    "study_from_records",
    "validate_study",
    "write_study",
    "write_survey_ties",
]
