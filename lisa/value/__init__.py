"""The value ledger: the social return of an innovation, counted as the SROI Guide does.

The reports hold that the value an innovation creates for the public is the
only genuine measure of its success (seed 002 §5.1). A ledger sets that value
out for one innovation: its inputs, its outcomes with their evidence and the
user's own financial proxies, deadweight, displacement and attribution,
duration and drop-off, discounting at the Green Book's rates, and the
assumptions to test. lisa adds it up - present value, net present value, the
SROI ratio, the payback period, a tornado of the assumptions - and the report
shows it beside the innovation's value corner.

Modules::

    model.py    the ledger, the settings and the result (typed pydantic models)
    readers.py  reading YAML, a folder of CSV files or an Excel workbook, with named problems
    compute.py  the arithmetic (formulas in docs/value.md)
    advice.py   what a missing or weak evidence base calls for

>>> from lisa.value import Input, Ledger, Outcome, value_of
>>> ledger = Ledger(innovation="x", inputs=[Input(id="grant", cost=1000)],
...     outcomes=[Outcome(id="o", quantity=10, proxy=110, deadweight=0, displacement=0,
...                       attribution=0, duration=1)])
>>> round(value_of(ledger).ratio, 3)   # 1,100 a year later, discounted at 3.5%
1.063
"""

from lisa.value.compute import value_of
from lisa.value.errors import LedgerInvalid
from lisa.value.model import (
    Assumption,
    Input,
    Ledger,
    Outcome,
    ValueResult,
    ValueSettings,
)
from lisa.value.readers import check_ledger, ledger_from_yaml, read_ledger

__all__ = [
    "Assumption",
    "Input",
    "Ledger",
    "LedgerInvalid",
    "Outcome",
    "ValueResult",
    "ValueSettings",
    "check_ledger",
    "ledger_from_yaml",
    "read_ledger",
    "value_of",
]
