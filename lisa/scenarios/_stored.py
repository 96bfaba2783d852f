"""Reading back a scenario result that a command wrote with ``--json``.

One reader for every stored scenario model (diffusion, what-if, best ties): the
file must exist, be of a bounded size and validate as the model; anything else
is a named error, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from lisa.errors import InputInvalid, Problem, StudyNotFound

M = TypeVar("M", bound=BaseModel)


def read_model(path: str | Path, model: type[M], what: str, max_bytes: int) -> M:
    """Read and validate a stored ``model`` at ``path``.

    Parameters
    ----------
    path
        The JSON file a command wrote with ``--json``.
    model
        The pydantic model it must validate as.
    what
        The kind of result in words, for the messages ("diffusion").
    max_bytes
        The largest file accepted (a larger one is refused unread).

    Returns
    -------
    M
        The validated result.

    Raises
    ------
    StudyNotFound
        The file does not exist.
    InputInvalid
        The file is too large, is not JSON or is not this kind of result (the problems
        name why, at most 20 of them).
    """
    path = Path(path)
    if not path.is_file():
        raise StudyNotFound(f"no {what} JSON at '{path}'")
    if path.stat().st_size > max_bytes:
        raise InputInvalid([Problem("file-too-large", f"larger than a {what} JSON can be", str(path))])
    try:
        return model.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        problems = [
            Problem("bad-value", f"{'.'.join(map(str, e['loc'])) or 'document'}: {e['msg']}", str(path))
            for e in exc.errors()[:20]
        ]
        raise InputInvalid(problems) from None
