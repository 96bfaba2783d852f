"""Benchmark packs: no personal data in them (an attacker looks), checked on write and on read.

Every hostile pack gets a named problem code and exit 2, in bounded time,
and nothing stored changes (sha256 of the study folders and of the pack
before and after).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lisa.analysis import analyse
from lisa.cli import app
from lisa.compare import PackInvalid, compare, indicators_of, make_pack, read_pack, write_pack
from lisa.compare.pack import MAX_PACK_BYTES, BenchmarkPack
from lisa.io import load_study, write_study
from lisa.synth import generate

runner = CliRunner()


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("packregion")
    for k in range(5):
        write_study(generate(70 + 20 * k, seed=10 + k, name=f"Borough {k}"), root / f"b{k}")
    return root


@pytest.fixture(scope="module")
def pack_file(region: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pack") / "north.json"
    done = runner.invoke(app, ["pack", str(region), "-o", str(out), "--name", "North 2026", "-q"])
    assert done.exit_code == 0, done.output
    return out


def checksums(*folders: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in folders
        for p in sorted(folder.rglob("*") if folder.is_dir() else [folder])
        if p.is_file()
    }


def test_a_pack_reads_back_exactly(pack_file: Path) -> None:
    pack = read_pack(pack_file)
    assert pack.name == "North 2026" and len(pack.places) == 5
    assert pack.format == "lisa-benchmark-pack" and pack.pack_version == "1.0"
    assert BenchmarkPack.model_validate_json(pack.model_dump_json()) == pack


def test_an_attacker_finds_no_roster_id_or_name_in_a_pack(region: Path, pack_file: Path) -> None:
    """Every roster id and name of every place, and every word of the names, searched for in
    the pack's text (case ignored) and among its JSON strings and keys."""
    text = pack_file.read_text("utf-8").lower()
    strings: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            strings.update(str(k).lower() for k in node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str):
            strings.add(node.lower())

    walk(json.loads(text))
    for folder in sorted(region.iterdir()):
        study = load_study(folder)
        for pid in study.ids:
            assert f'"{pid.lower()}"' not in text and pid.lower() not in strings
        for name in study.names:
            assert name.lower() not in text
            for word in name.lower().split():
                assert word not in strings
        for org in study.organisations:
            assert org.lower() not in strings  # no group values at all, large or small


def test_comparing_against_a_pack_equals_comparing_the_studies(region: Path, pack_file: Path) -> None:
    """A place compared with the pack's places stands where it stands among the studies."""
    from_studies, _ = compare([region], workers=1, progress=False)
    extra = region.parent / "extra"
    write_study(generate(90, seed=99, name="Newtown"), extra)
    with_pack, _ = compare([extra, pack_file], workers=1, progress=False)
    direct, _ = compare([extra, region], workers=1, progress=False)
    assert with_pack.place("Newtown").model_dump() == direct.place("Newtown").model_dump()
    assert len(from_studies.places) == 5


def test_a_place_named_after_a_person_is_refused_on_write(tmp_path: Path) -> None:
    study = generate(60, seed=3)
    person = study.names[7]
    place = indicators_of(analyse(study), f"Office of {person}")
    target = tmp_path / "p.json"
    with pytest.raises(PackInvalid) as err:
        make_pack([place], "Region", [study])
    assert [p.code for p in err.value.problems] == ["personal-data"]
    assert person not in str(err.value)  # the message says where, not who
    ok = make_pack([indicators_of(analyse(study), "Somewhere")], "Region", [study])
    with pytest.raises(PackInvalid):
        write_pack(ok.model_copy(update={"name": study.ids[3]}), target, [study])
    assert not target.exists()


def test_a_small_place_cannot_go_into_a_pack() -> None:
    small = indicators_of(analyse(generate(60, seed=1)), "Hamlet").model_copy(update={"people": 4})
    with pytest.raises(PackInvalid) as err:
        make_pack([small], "Region")
    assert "small-place" in [p.code for p in err.value.problems]


def _hostile(pack_file: Path, case: str) -> bytes:
    good = json.loads(pack_file.read_text("utf-8"))
    place = good["places"][0]
    if case == "not-json":
        return b'{"format": "lisa-benchmark-pack", '
    if case == "not-utf8":
        return b"\xff\xfe" + "{}".encode("utf-16-le")
    if case == "not-a-pack":
        return json.dumps({"schema_version": "2.0"}).encode()
    if case == "newer-version":
        good["pack_version"] = "2.0"
    elif case == "ids-added":
        place["ids"] = ["p0001", "p0002"]
    elif case == "unknown-indicator":
        place["values"]["gatekeeper_p0001"] = 1.0
    elif case == "small-place":
        place["people"] = 3
    elif case == "few-respondents":
        place["respondents"] = 2
    elif case == "not-finite":
        return pack_file.read_text("utf-8").replace('"density": 0', '"density": NaN, "x": 0', 1).encode()
    elif case == "control-characters":
        place["name"] = "Borough\u200b 0"
    elif case == "duplicate-place":
        good["places"].append(dict(place))
    elif case == "lower-min-cell":
        good["min_cell"] = 2
    elif case == "deep-nesting":
        return b'{"format": "lisa-benchmark-pack", "pack_version": "1.0", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    elif case == "too-large":
        return b" " * (MAX_PACK_BYTES + 1)
    return json.dumps(good).encode()


HOSTILE = {
    "not-json": "malformed-json",
    "not-utf8": "encoding",
    "not-a-pack": "not-a-pack",
    "newer-version": "pack-version",
    "ids-added": "bad-value",
    "unknown-indicator": "unknown-indicator",
    "small-place": "small-place",
    "few-respondents": "small-cell",
    "not-finite": "bad-value",
    "control-characters": "bad-text",
    "duplicate-place": "duplicate-place",
    "lower-min-cell": "small-cell",
    "deep-nesting": "malformed-json",
    "too-large": "file-too-large",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_pack_is_refused_by_name(
    case: str, pack_file: Path, region: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(_hostile(pack_file, case))
    before = checksums(region, bad, pack_file)
    with pytest.raises(PackInvalid) as err:
        read_pack(bad)
    assert HOSTILE[case] in [p.code for p in err.value.problems]
    out = tmp_path / "c.json"
    done = runner.invoke(app, ["compare", str(region), str(bad), "--json", str(out), "-q"])
    assert done.exit_code == 2, done.output
    assert "benchmark pack" in done.output
    assert not out.exists()
    assert checksums(region, bad, pack_file) == before


def test_the_pack_schema_and_reference_are_generated_from_the_models() -> None:
    """lisa/schema/pack.schema.json and docs/compare.md's reference are current."""
    from lisa.compare.schema import generated

    for path, text in generated().items():
        assert path.read_text("utf-8") == text, f"{path} is stale: run python -m lisa.compare.schema"


def test_a_written_pack_validates_against_its_json_schema(pack_file: Path) -> None:
    import jsonschema

    from lisa.compare.schema import pack_schema

    jsonschema.validate(json.loads(pack_file.read_text("utf-8")), pack_schema())


def test_compare_can_write_the_pack_too(region: Path, pack_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "also.json"
    done = runner.invoke(app, ["compare", str(region), "--write-pack", str(out), "--name",
                               "North 2026", "-q"])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert read_pack(out) == read_pack(pack_file)


def test_a_pack_is_written_without_the_place_that_failed(region: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    write_study(generate(50, seed=4, name="Broken"), broken)
    (broken / "ties.csv").write_bytes(b"\xff\xfe\x00garbage")
    out = tmp_path / "p.json"
    done = runner.invoke(app, ["pack", str(region), str(broken), "-o", str(out), "-q"])
    assert done.exit_code == 1
    assert [p.name for p in read_pack(out).places] == [f"Borough {k}" for k in range(5)]
    assert "could not be analysed" in done.output
