"""lisa's web survey platform: facilitators set up a study, respondents answer on their phones.

:func:`create_app` builds the FastAPI application from :class:`WebSettings`;
``lisa serve`` runs it with uvicorn. Storage is :mod:`lisa.db`; every study
check, response computation, analysis and report is lisa's own (the web calls
the same functions as the command line). See ``docs/web.md``.
"""

from lisa.web.app import create_app
from lisa.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
