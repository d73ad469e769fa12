"""`tidings bench extract` end to end on a tiny corpus made here: unpacked on first use into its cache
folder, every extractor asked for scored and timed, the table printed."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest

from tests.conftest import DATA
from tidings.bench import extract as bench

GATE = DATA / "extraction"


def tiny_corpus(tmp_path: Path, pages: int = 3) -> Path:
    truth = json.loads((GATE / "evaldata.json").read_text(encoding="utf-8"))
    chosen = dict(sorted(truth.items())[:pages])
    tarball = tmp_path / "corpus.tar.gz"
    with tarfile.open(tarball, "w:gz") as archive:

        def add(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))

        add("tests/evaldata.json", json.dumps(chosen).encode("utf-8"))
        for item in chosen.values():
            add(
                f"tests/cache/{item['file']}",
                gzip.decompress((GATE / "pages" / f"{item['file']}.gz").read_bytes()),
            )
    return tarball


def test_bench_runs_on_a_corpus_it_unpacks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tarball = tiny_corpus(tmp_path)
    cache = tmp_path / "cache"
    status = bench.main(
        ["--tarball", str(tarball), "--cache", str(cache), "--only", "parse,tidings,resiliparse"]
    )
    assert status == 0
    assert (cache / "tests" / "evaldata.json").is_file()
    out = capsys.readouterr().out
    assert "extract: 3 pages" in out
    table = {line.split()[0] for line in out.splitlines() if line.strip()}
    assert {"tidings", "resiliparse", "parse"} <= table


def test_a_missing_corpus_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="corpus not found"):
        bench.main(["--tarball", str(tmp_path / "nope.tar.gz"), "--cache", str(tmp_path / "cache")])
