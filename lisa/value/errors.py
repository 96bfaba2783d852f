"""The value ledger's error (it derives from :mod:`lisa.errors`)."""

from __future__ import annotations

from lisa.errors import InputInvalid

__all__ = ["LedgerInvalid"]


class LedgerInvalid(InputInvalid):
    """A value ledger file has problems; ``problems`` lists every one.

    Each :class:`~lisa.errors.Problem` names the file (or the workbook's sheet),
    the row, the column and the value; the codes are listed in
    ``docs/value.md``. The command line maps it, like every
    :class:`~lisa.errors.InputInvalid`, to exit code 2.
    """

    subject = "the value ledger"
