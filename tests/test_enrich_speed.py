"""What made enrich fast, checked for behaviour (speed itself is measured by `tidings bench ingest` and
`tidings bench enrich`): keywords scored in-house beside the `yake` package, stop words read without
importing spaCy's language modules, entity rows saved in batches, and the pipeline's stage clock."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

import numpy as np
import pytest
import yake
from sqlalchemy import func, select
from threadpoolctl import ThreadpoolController

from tidings import enrich, pipeline, settings
from tidings.bench import enrich as bench_enrich
from tidings.bench import ingest as bench_ingest
from tidings.enrich import gazetteer, keypoints, keywords
from tidings.models import CanonicalArticle, Enrichment, Entity, TextSpan
from tidings.store import Store
from tidings.store import schema as t

from .conftest import DATA

NOW = datetime(2025, 7, 2, 12, tzinfo=UTC)
SEED = json.loads((DATA / "seeds-expected.json").read_text(encoding="utf-8"))["articles"][0]


@pytest.fixture
def store(db_url: str) -> Store:
    opened = Store(db_url)
    opened.migrate()
    return opened


# keywords -------------------------------------------------------------------------------------------------
def test_key_phrases_agree_with_the_yake_package_on_the_labelled_set() -> None:
    """The in-house scoring follows YAKE's paper: on the development set, most of the yake package's ten
    best phrases are among Tidings' ten best (pinned floor; 85% when written)."""
    peer = yake.KeywordExtractor(lan="en", n=3, dedup_lim=0.7, dedup_func="jaro", top=10)
    stops = keywords.stop_words("en")
    shares = []
    for record in bench_enrich.load():
        text = ".\n".join(record["paragraphs"])[: keywords.MAX_TEXT]
        theirs = {p.casefold() for p, _ in peer.extract_keywords(text)}
        ours = {p.casefold() for p in keywords.key_phrases(text, stops, 10)}
        shares.append(len(theirs & ours) / max(1, len(theirs)))
    assert sum(shares) / len(shares) >= 0.8


def test_key_phrases_of_the_seed() -> None:
    text = ".\n".join([SEED["title"], *SEED["body"]])
    phrases = keywords.key_phrases(text[: keywords.MAX_TEXT], keywords.stop_words("en"), 20)
    assert "Alexander Lukashenko" in phrases
    assert "Keith Kellogg" in phrases
    assert all(p.split()[0].casefold() not in keywords.stop_words("en") for p in phrases)
    assert len({p.casefold() for p in phrases}) == len(phrases)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "... !!! ---", "2024 12.5 3/4 100%", ".", "a", "\n\n\n", "“”‘’", "x" * 5000, "Ab. " * 2000],
)
def test_key_phrases_of_odd_text(text: str) -> None:
    phrases = keywords.key_phrases(text[: keywords.MAX_TEXT], keywords.stop_words("en"), 20)
    assert len(phrases) <= 20
    assert all(p.strip() and not p.replace(".", "").isdigit() for p in phrases)
    assert len(keywords.extract(text, "en")) <= keywords.TOP


def test_key_phrases_leave_out_near_repeats() -> None:
    text = "Flood defences failed in Carrow Bay. Flood defence failed again in Carrow Bay on Monday."
    phrases = [p.casefold() for p in keywords.key_phrases(text, keywords.stop_words("en"), 20)]
    assert "carrow bay" in phrases
    assert not ({"flood defences", "flood defence"} <= set(phrases))  # a plural is the same phrase


def test_stop_words_of_other_languages_and_unknown_ones() -> None:
    french = keywords.stop_words("fr")
    assert {"le", "la", "les", "de"} <= french
    assert "said" in keywords.stop_words("en")  # reporting verbs make no keyword
    assert keywords.stop_words("xx") == keywords.stop_words("en")  # no list: English's
    assert keywords.stop_words("cs")  # Czech is "cz" in YAKE's lists
    phrases = keywords.extract(
        "Le président de la République a annoncé une réforme des retraites à Paris.", "fr"
    )
    assert phrases
    assert not any(p.split()[0].casefold() in french for p in phrases)


def test_stop_words_do_not_import_spacy_language_modules() -> None:
    """Importing spaCy's French (for its stop words) costs seconds: the lists are read as data."""
    code = (
        "import sys; from tidings.enrich import keywords; keywords.extract('Le président a parlé.', 'fr'); "
        "keywords.extract('Der Präsident hat gesprochen.', 'de'); "
        "print(sorted(m for m in sys.modules if m in ('spacy.lang.fr', 'spacy.lang.de', 'yake')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "[]"


def test_loads_happen_once_per_process() -> None:
    assert gazetteer.load() is gazetteer.load()
    assert enrich.load_engine("") is enrich.load_engine("")
    assert keywords.stop_words("fr") is keywords.stop_words("fr")


def test_demonyms_by_stem() -> None:
    gaz = gazetteer.load()
    assert gaz.is_demonym("Belarusian")
    assert gaz.is_demonym("Kenyans")
    assert gaz.is_demonym("Ukrainian")
    assert not gaz.is_demonym("Lukashenko")
    assert not gaz.is_demonym("Sudan")
    assert not gaz.is_demonym("Fooian")


# entity rows saved in batches ------------------------------------------------------------------------------
def _enrichment(*entities: tuple[str, str]) -> Enrichment:
    return Enrichment(
        language="en",
        reading_minutes=1,
        key_points=(),
        entities=tuple(Entity(name, kind, ((name, TextSpan(0, 0, len(name))),)) for name, kind in entities),
        quotes=(),
        keywords=(),
    )


def _article(store: Store) -> int:
    with store.begin() as tx:
        article_id = tx.new_article()
        tx.save_article(article_id, CanonicalArticle("T", None, ("x",), None, None, NOW, None))
    return article_id


def _entity_rows(store: Store) -> list[tuple[str, str]]:
    with store.engine.connect() as c:
        return [(str(k), str(n)) for k, n in c.execute(select(t.entities.c.kind, t.entities.c.name))]


def test_many_entities_in_one_article_and_saved_again(store: Store) -> None:
    article_id = _article(store)
    names = [(f"Person{i} Surname{i}", "PERSON") for i in range(450)] + [
        (f"Place{i}", "PLACE") for i in range(60)
    ]
    with store.begin() as tx:
        tx.save_enrichment(article_id, _enrichment(*names), "k1", first=True)
    with store.begin() as tx:
        tx.save_enrichment(article_id, _enrichment(*names[:300]), "k2")  # replaced, not added to
    assert len(_entity_rows(store)) == 510
    with store.engine.connect() as c:
        assert c.execute(select(func.count()).select_from(t.entity_mentions)).scalar_one() == 300
        assert c.execute(select(t.article_enrichments.c.source_key)).scalar_one() == "k2"


def test_lone_surname_joins_the_one_person_known_by_it(store: Store) -> None:
    first, second, third = _article(store), _article(store), _article(store)
    with store.begin() as tx:
        tx.save_enrichment(
            first, _enrichment(("Alexander Lukashenko", "PERSON"), ("Anna Smith", "PERSON")), "a"
        )
        tx.save_enrichment(second, _enrichment(("John Smith", "PERSON")), "b")
    with store.begin() as tx:
        # Lukashenko: one person known by it; Smith: two, so a name of its own; Kellogg: made in this same
        # article in full.
        lone = _enrichment(("Lukashenko", "PERSON"), ("Smith", "PERSON"), ("Kellogg", "PERSON"))
        tx.save_enrichment(
            third, _enrichment(("Keith Kellogg", "PERSON"), *[(e.name, e.kind) for e in lone.entities]), "c"
        )
    rows = _entity_rows(store)
    assert ("PERSON", "Lukashenko") not in rows
    assert ("PERSON", "Kellogg") not in rows
    assert ("PERSON", "Smith") in rows
    with store.engine.connect() as c:
        linked = c.execute(
            select(t.entity_mentions.c.name, t.entities.c.name)
            .join(t.entities, t.entities.c.id == t.entity_mentions.c.entity_id)
            .where(t.entity_mentions.c.article_id == third)
        ).all()
    assert dict(linked)["Lukashenko"] == "Alexander Lukashenko"


def test_names_that_differ_only_in_case_are_one_entity(store: Store) -> None:
    article_id = _article(store)
    with store.begin() as tx:
        tx.save_enrichment(article_id, _enrichment(("NATO", "ORG"), ("Nato", "ORG"), ("Paris", "PLACE")), "k")
    assert sorted(kind for kind, _ in _entity_rows(store)) == ["ORG", "PLACE"]
    with store.engine.connect() as c:
        ids = c.execute(
            select(t.entity_mentions.c.entity_id).where(t.entity_mentions.c.article_id == article_id)
        )
        assert len(list(ids)) == 2


def test_known_names_are_asked_once_per_word() -> None:
    asked: list[str] = []

    class Known:
        def person_names(self, word: str) -> list[str]:
            asked.append(word)
            return ["Alexander Lukashenko"] if word == "Lukashenko" else []

    body = ("Lukashenko spoke. Then Lukashenko left. Lukashenko returned on Monday.",) * 3
    result = enrich.enrich(CanonicalArticle(None, None, body, None, None, None, "en"), known=Known())
    assert "Alexander Lukashenko" in [e.name for e in result.entities]
    assert asked.count("Lukashenko") == 1


# the stage clock and the bench ----------------------------------------------------------------------------
def test_ingest_times_each_stage(store: Store, db_url: str) -> None:
    conf = settings.load({"db": db_url}, environ={})
    times = pipeline.StageTimes()
    for document in pipeline.sample_documents(conf)[:3]:
        pipeline.ingest_document(store, document, conf, times)
    assert set(times.seconds) == set(pipeline.STAGES)
    assert all(seconds > 0 for seconds in times.seconds.values())
    before = dict(times.seconds)
    pipeline.ingest_document(store, pipeline.sample_documents(conf)[0], conf, times)  # stored: no stage runs
    assert times.seconds == before


def test_bench_ingest_prints_stages_and_the_floor(capsys: pytest.CaptureFixture[str]) -> None:
    folder = DATA / "dumps"
    assert bench_ingest.main(["--rounds", "1", "--path", str(folder)]) == 0
    out = capsys.readouterr().out
    for line in (
        "extract",
        "fold",
        "enrich",
        "cluster",
        "store",
        "read + decode (floor)",
        "full pipeline, CPU time",
    ):
        assert line in out
    assert "16 sample documents" in out
    assert f"{len(list(folder.rglob('*.txt')))} documents from {folder}" in out


# key points -----------------------------------------------------------------------------------------------
def test_similarity_over_shared_words_is_the_full_cosine_off_the_diagonal() -> None:
    texts = [
        "The council approved the bridge on Monday after a debate.",
        "The bridge will cost the council four million pounds.",
        "Residents said the debate ran late into the night.",
        "Unrelated sentence about weather and gardens only.",
    ]
    vectors = keypoints._vectors(texts)
    full, shared = vectors @ vectors.T, keypoints._similarity(vectors)
    off = ~np.eye(len(texts), dtype=bool)
    assert np.allclose(full[off], shared[off])
    assert shared[0, 1] > 0
    assert shared[3, 0] == 0


def test_key_points_leave_the_blas_thread_count_as_they_found_it() -> None:
    threads = [lib["num_threads"] for lib in ThreadpoolController().info()]
    body = tuple(
        f"Sentence {i} tells of the harbour, the council and the bridge number {i}." for i in range(60)
    )
    result = enrich.enrich(CanonicalArticle(None, None, body, None, None, None, "en"))
    assert result.key_points  # ranked with BLAS on one thread
    assert [lib["num_threads"] for lib in ThreadpoolController().info()] == threads
