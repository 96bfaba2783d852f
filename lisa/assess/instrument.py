"""The assessment instrument: item bank, rules, case library and settings, loaded once.

Everything the assessment reads besides the answers is one explicit object,
passed to each entry point (``instrument=``) instead of sitting in hidden
module caches. :meth:`Instrument.load` reads the files shipped with lisa;
:meth:`Instrument.from_paths` reads a researcher's own item bank, rules or
case library (each optional: the shipped one stands in). An entry point given
``instrument=None`` loads the shipped instrument once for that call and hands
it down the chain.

>>> instrument = Instrument.load()
>>> len(instrument.bank) > 40, instrument.rules.version, len(instrument.cases) > 20
(True, 2, True)
>>> Instrument.load(AssessmentSettings(stall_years=3)).settings.stall_years
3.0
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from lisa.assess.items import ItemBank, read_item_bank
from lisa.assess.rules import Rules, read_rules
from lisa.assess.settings import AssessmentSettings
from lisa.assess.spread import SpreadRules, read_spread_rules
from lisa.cases.library import Case, read_cases, shipped_folder
from lisa.errors import DefinitionInvalid


def _shipped(name: str) -> Traversable:
    return resources.files("lisa.assess").joinpath("data").joinpath(name)


@dataclass(frozen=True)
class Instrument:
    """The item bank, the rules, the case library and the settings of one assessment run.

    Attributes
    ----------
    bank
        The items, their scales and help (``items.yaml``).
    rules
        What each phase needs, the risks and the recommendations
        (``rules.yaml``), with named limits taken from ``settings``.
    cases
        The case library, UK localities first.
    settings
        The thresholds and weights of the inference.
    spread
        The conditions for scaling, their risks and recommendations, and the
        routes to spread (``spread.yaml``), limits taken from ``settings``.
    """

    bank: ItemBank
    rules: Rules
    cases: tuple[Case, ...]
    settings: AssessmentSettings
    spread: SpreadRules

    @classmethod
    def load(cls, settings: AssessmentSettings | None = None) -> Instrument:
        """The instrument shipped with lisa, read from its data files now.

        Parameters
        ----------
        settings
            The settings to use; default :class:`AssessmentSettings()`.

        Raises
        ------
        DefinitionInvalid
            Only if lisa's own data files were damaged.
        """
        return cls.from_paths(settings=settings)

    @classmethod
    def from_paths(
        cls,
        items: str | Path | None = None,
        rules: str | Path | None = None,
        cases: str | Path | None = None,
        settings: AssessmentSettings | None = None,
    ) -> Instrument:
        """An instrument from a researcher's own files; any left out is lisa's own.

        Parameters
        ----------
        items
            An items file in the form of ``lisa/assess/data/items.yaml``.
        rules
            A rules file in the form of ``lisa/assess/data/rules.yaml``; its
            conditions may name only items of ``items``.
        cases
            A folder of case files in the form of ``lisa/cases/data``.
        settings
            The settings to use; default :class:`AssessmentSettings()`.

        Raises
        ------
        DefinitionInvalid
            When a file is missing, is not strict YAML or breaks its form (the
            message names the file and the entry).
        """
        for path in (items, rules):
            if path is not None and not Path(path).is_file():
                raise DefinitionInvalid(f"no such instrument file: {path}")
        settings = settings or AssessmentSettings()
        bank = read_item_bank(Path(items) if items else _shipped("items.yaml"))
        parsed = read_rules(Path(rules) if rules else _shipped("rules.yaml"), bank, settings)
        library = read_cases(Path(cases) if cases else shipped_folder())
        spread = read_spread_rules(_shipped("spread.yaml"), bank, settings)
        return cls(bank=bank, rules=parsed, cases=library, settings=settings, spread=spread)

    def with_settings(self, settings: AssessmentSettings) -> Instrument:
        """The same instrument under other settings (the rules' named limits follow them)."""
        return Instrument(
            bank=self.bank,
            rules=self.rules.with_settings(settings),
            cases=self.cases,
            settings=settings,
            spread=self.spread.with_settings(settings),
        )
