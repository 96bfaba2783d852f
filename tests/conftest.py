"""Shared fixtures: generated places and their analyses, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

#: Published organisational networks (Krackhardt, Lazega, Padgett) with networkx
#: reference values, copied from the project's shared data so CI always has them.
NETWORKS = Path(__file__).resolve().parent / "data" / "networks"


@pytest.fixture(scope="session")
def demo_study():  # type: ignore[no-untyped-def]
    from lisa.synth import generate

    return generate(300, seed=7, preset="appendix-c")


@pytest.fixture(scope="session")
def demo_result(demo_study):  # type: ignore[no-untyped-def]
    from lisa.analysis import analyse

    return analyse(demo_study)


@pytest.fixture(scope="session")
def open_result():  # type: ignore[no-untyped-def]
    from lisa.analysis import analyse
    from lisa.synth import generate

    return analyse(generate(300, seed=7, preset="open"))


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory, demo_study) -> Path:  # type: ignore[no-untyped-def]
    from lisa.io import write_study

    return Path(write_study(demo_study, tmp_path_factory.mktemp("demo") / "study"))


@pytest.fixture(scope="session")
def shared_networks() -> Path:
    return NETWORKS
