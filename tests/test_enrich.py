"""The enrich stage (`tidings.enrich`): quotes and speakers, entities, key points, keywords, language, and
bad input. Quality on the labelled sets is gated in `test_enrich_gate.py`."""

from __future__ import annotations

import json
import logging

import pytest

from tidings import enrich
from tidings.enrich import keypoints, language, marks
from tidings.models import CanonicalArticle, Enrichment, KeyPoint, TextSpan

from .conftest import DATA

SEED = json.loads((DATA / "seeds-expected.json").read_text(encoding="utf-8"))["articles"][0]


def article(*body: str, title: str | None = None, language: str | None = None) -> CanonicalArticle:
    return CanonicalArticle(title, None, tuple(body), None, None, None, language)


@pytest.fixture(scope="module")
def seed() -> Enrichment:
    return enrich.enrich(
        CanonicalArticle(SEED["title"], SEED["dek"], tuple(SEED["body"]), None, None, None, None)
    )


def speakers(result: Enrichment, words: str) -> set[str | None]:
    return {q.speaker for q in result.quotes if words in q.text}


# who said what ---------------------------------------------------------------------------------------------
def test_seed_quotes_have_their_speakers(seed: Enrichment) -> None:
    assert speakers(seed, "Let them tell their client") == {"Alexander Lukashenko"}
    assert speakers(seed, "first step toward stopping this fratricidal war") == {
        "Alexander Lukashenko"
    }  # he added
    assert speakers(seed, "I don’t believe they want to end this war") == {
        "Alexander Lukashenko"
    }  # follow-on
    assert speakers(seed, "at no point did I make comments") == {
        "Keith Kellogg"
    }  # "Kellogg later said on X that"
    # Reported speech, "The Belarusian leader said …" resolved to the person the text described so.
    reported = [q for q in seed.quotes if q.kind == "indirect" and "shared his views with Kellogg" in q.text]
    assert [(q.speaker, q.speaker_text) for q in reported] == [
        ("Alexander Lukashenko", "The Belarusian leader")
    ]
    assert speakers(seed, "The US could pressure Ukraine") == {
        "Alexander Lukashenko"
    }  # "…, X said on Tuesday."


def test_seed_nested_quotes_are_not_credited_to_the_outer_speaker(seed: Enrichment) -> None:
    nested = [q for q in seed.quotes if q.nested]
    assert {q.text for q in nested} == {
        "Is there something wrong with it?",
        "We are working in that direction.",
    }
    assert all(q.speaker is None for q in nested)


def test_quote_spans_point_into_the_body(seed: Enrichment) -> None:
    for q in seed.quotes:
        assert SEED["body"][q.span.paragraph][q.span.start : q.span.end] == q.text


@pytest.mark.parametrize(
    ("text", "quoted", "speaker"),
    [
        ('"We will win," said Maria Lopez, the coach.', "We will win", "Maria Lopez"),
        ("“We will win,” Maria Lopez said.", "We will win", "Maria Lopez"),
        ("Maria Lopez said: “We will win.”", "We will win", "Maria Lopez"),
        ("‘We will win,’ Maria Lopez told reporters.", "We will win", "Maria Lopez"),
        ("“We will win,” according to Maria Lopez.", "We will win", "Maria Lopez"),
        (
            "Maria Lopez told Reuters that the team would win the league.",
            "the team would win the league",
            "Maria Lopez",
        ),
        (
            "The team would win the league, Maria Lopez said on Sunday.",
            "The team would win the league",
            "Maria Lopez",
        ),
        (
            "According to Maria Lopez, the team would win the league.",
            "the team would win the league",
            "Maria Lopez",
        ),
    ],
)
def test_attribution_constructions(text: str, quoted: str, speaker: str) -> None:
    result = enrich.enrich(article(text))
    assert speakers(result, quoted) == {speaker}


def test_pronoun_goes_to_the_last_person_quoted_and_nominal_to_the_described_one() -> None:
    result = enrich.enrich(
        article(
            "Finance Minister Kwame Mensah said the budget was fair. His deputy, Ama Owusu, said "
            "cuts were needed.",
            "“We have no choice,” she said. “The minister agrees,” the deputy added.",
        )
    )
    assert speakers(result, "We have no choice") == {"Ama Owusu"}
    assert speakers(result, "The minister agrees") == {"Ama Owusu"}


def test_quotes_with_no_speaker_named_stay_unattributed() -> None:
    result = enrich.enrich(
        article(
            "Critics called the stadium a “white elephant”. A sign on the gate read “Back soon”.",
            "Officials in Canberra insisted the deal was “on track”.",
        )
    )
    assert {q.text: q.speaker for q in result.quotes} == {
        "white elephant": None,
        "Back soon": None,
        "on track": None,
    }


def test_quotation_left_open_continues_into_the_next_paragraph() -> None:
    result = enrich.enrich(
        article(
            "Carlos Mendoza, the mayor, spoke about the cable cars. “When we built the first line, "
            "people laughed.",
            "“Now every city in the region wants one.”",
        )
    )
    assert speakers(result, "people laughed") == {"Carlos Mendoza"}
    assert speakers(result, "Now every city") == {"Carlos Mendoza"}


def test_negated_speech_is_not_a_quote() -> None:
    result = enrich.enrich(
        article("The Ministry of Defence did not say who had launched the drones last night.")
    )
    assert result.quotes == ()


# quote marks -----------------------------------------------------------------------------------------------
def test_marks_straight_typographic_nested_and_apostrophes() -> None:
    text = (
        '“I said, ‘We can’t stay,’ and left,” he said of the farmers’ union. "Plain," she said. '
        "It's O'Connor's."
    )
    found = [(text[q.start : q.end], q.depth) for q in marks.scan(text)]
    assert found == [("I said, ‘We can’t stay,’ and left,", 0), ("We can’t stay,", 1), ("Plain,", 0)]


def test_marks_unbalanced_double_runs_to_the_end_single_is_dropped() -> None:
    assert [(q.close_at, q.end) for q in marks.scan("He said “it is over")] == [(-1, 19)]
    assert marks.scan("the ‘90s and rock ’n’ roll") == []


# entities --------------------------------------------------------------------------------------------------
def test_seed_entities_merged_and_typed(seed: Enrichment) -> None:
    by_name = {e.name: e for e in seed.entities}
    lukashenko = by_name["Alexander Lukashenko"]
    assert lukashenko.kind == "PERSON"
    assert {text for text, _ in lukashenko.mentions} == {"Alexander Lukashenko", "Lukashenko"}
    assert len(lukashenko.mentions) == 5
    assert by_name["Keith Kellogg"].kind == "PERSON"
    assert by_name["Vladimir Zelensky"].kind == "PERSON"  # "[Vladimir] Zelensky", then "Zelensky"
    assert by_name["Kyiv"].kind == "PLACE"  # "Kiev", under the gazetteer's main name
    assert {by_name[n].kind for n in ("Russia", "Moscow", "Belarus", "Minsk", "Washington")} == {"PLACE"}
    assert "Western" not in by_name
    assert "Tuesday" not in by_name
    assert "World War II" not in by_name


def test_mentions_point_into_the_body(seed: Enrichment) -> None:
    for entity in seed.entities:
        for text, span in entity.mentions:
            assert (
                SEED["body"][span.paragraph][span.start : span.end].replace("[", "").replace("]", "") == text
            )


def test_organisations_acronyms_and_places() -> None:
    result = enrich.enrich(
        article(
            "The Nigerian Ports Authority (NPA) said cargo at Lagos was moving. Shares in Harrow & "
            "Pike Inc rose.",
            "The University of Ibadan and the World Health Organization sent teams to the Mekong Delta.",
        )
    )
    kinds = {e.name: e.kind for e in result.entities}
    assert kinds["Nigerian Ports Authority"] == "ORG"
    assert [len(e.mentions) for e in result.entities if e.name == "Nigerian Ports Authority"] == [2]  # + NPA
    assert kinds["Harrow & Pike Inc"] == "ORG"
    assert kinds["University of Ibadan"] == "ORG"
    assert kinds["World Health Organization"] == "ORG"
    assert kinds["Lagos"] == "PLACE"
    assert kinds["Mekong Delta"] == "PLACE"


def test_non_english_names_kept_whole() -> None:
    result = enrich.enrich(
        article(
            "Friedrich von Hallberg met Ahmed al-Rashid, Park Ji-won and Siobhán O'Connor in Prague.",
            "Von Hallberg said the talks went well.",
        )
    )
    people = {e.name: len(e.mentions) for e in result.entities if e.kind == "PERSON"}
    assert people == {
        "Friedrich von Hallberg": 2,
        "Ahmed al-Rashid": 1,
        "Park Ji-won": 1,
        "Siobhán O'Connor": 1,
    }


# key points, keywords, language ----------------------------------------------------------------------------
def test_seed_key_points_are_three_to_five_distinct_sentences_in_place(seed: Enrichment) -> None:
    assert 3 <= len(seed.key_points) <= 5
    texts = [p.text for p in seed.key_points]
    assert len(set(texts)) == len(texts)
    for point in seed.key_points:
        assert SEED["body"][point.span.paragraph][point.span.start : point.span.end] == point.text
    where = [(p.span.paragraph, p.span.start) for p in seed.key_points]
    assert where == sorted(where)  # in reading order
    assert seed.key_points[0].span.paragraph == 0  # the lead


def test_key_points_skip_a_repeated_fact() -> None:
    same = "The council approved the new bridge over the river on Monday after a long debate."
    body = [
        same,
        same.replace("Monday", "Monday evening"),
        *[f"Paragraph {i} adds a different detail about item {i} here." for i in range(8)],
    ]
    result = enrich.enrich(article(*body))
    assert sum("council approved the new bridge" in p.text for p in result.key_points) == 1


def test_story_key_points_say_each_fact_once() -> None:
    a = [KeyPoint("Flooding closed the main road into the city on Monday.", TextSpan(0, 0, 10), 1.0)]
    b = [
        KeyPoint("Flooding closed the main road into the city on Monday morning.", TextSpan(0, 0, 10), 1.0),
        KeyPoint(
            "The mayor opened three shelters for families who left their homes.", TextSpan(1, 0, 10), 0.8
        ),
    ]
    points = enrich.story_key_points([a, b])
    assert len(points) == 2
    assert sum("Flooding" in p.text for _, p in points) == 1


def test_keywords_use_full_names(seed: Enrichment) -> None:
    assert "Alexander Lukashenko" in seed.keywords
    assert not any(k.startswith("President") for k in seed.keywords)
    assert 3 <= len(seed.keywords) <= 10


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (SEED["body"][6], "en"),
        (
            "Le gouvernement a annoncé que les prix de l'énergie vont baisser dans les prochains "
            "mois pour les ménages.",
            "fr",
        ),
        (
            "Die Regierung hat angekündigt, dass die Preise für Energie in den kommenden Monaten "
            "sinken werden.",
            "de",
        ),
        (
            "El gobierno anunció que los precios de la energía bajarán en los próximos meses para "
            "las familias.",
            "es",
        ),
        (
            "Правительство заявило, что цены на энергию снизятся в ближайшие месяцы для всех семей страны.",
            "ru",
        ),
        ("Уряд заявив, що ціни на енергію знизяться в найближчі місяці для всіх родин країни.", "uk"),
        ("Η κυβέρνηση ανακοίνωσε ότι οι τιμές της ενέργειας θα μειωθούν τους επόμενους μήνες.", "el"),
        ("short", None),
        ("", None),
    ],
)
def test_language(text: str, code: str | None) -> None:
    assert language.detect(text) == code


def test_language_of_a_copy_wins_and_names_are_read_only_in_english() -> None:
    french = (
        "Le président Emmanuel Macron a déclaré que la France allait « agir vite » contre la "
        "crise du logement."
    )
    result = enrich.enrich(article(french, french.replace("logement", "climat")))
    assert result.language == "fr"
    assert result.entities == ()
    assert result.quotes == ()
    assert enrich.enrich(article(french, language="en")).language == "en"


def test_reading_minutes() -> None:
    assert enrich.reading_minutes([]) == 1
    assert enrich.reading_minutes(["word " * 460]) == 2


# bad input -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        (),
        ("",),
        ("   ", "\n\t"),
        ("“", "”", "‘’", '"', "'"),
        ("“Unbalanced quote that never closes, said nobody", "He said “again “and again"),
        ("\u200b\u200d\ufeff", "\x00\x01\x7f", "🙂🙂🙂 «»„“ “ ” — – … \u202e reversed \u202c"),
        ("A" * 5000, "Lorem " * 3000),
        ("Mr. Dr. Prof. St. U.S. said said said that that according to to the the",),
        ("Ünïcödé Ñámés Ŝpëak: “Ça va,” dit-il.", "李明说：“我们会赢。”", "قال محمد: «سنفوز»"),
    ],
)
def test_bad_input_never_crashes(body: tuple[str, ...]) -> None:
    result = enrich.enrich(article(*body))
    assert result.reading_minutes >= 1
    for q in result.quotes:
        assert body[q.span.paragraph][q.span.start : q.span.end] == q.text


def test_huge_article_is_capped() -> None:
    paragraph = (
        "Maria Lopez said the river had risen by two metres near Lagos overnight, officials said. " * 5
    )
    result = enrich.enrich(article(*([paragraph] * 2000)), max_chars=20_000)
    assert result.truncated
    last = max((span.paragraph for e in result.entities for _, span in e.mentions), default=0)
    assert last * len(paragraph) <= 20_000
    assert not enrich.enrich(article(paragraph)).truncated


def test_capped_cuts_at_a_space() -> None:
    body, cut = enrich.capped(["one two three", "four five six seven"], max_chars=20)
    assert cut
    assert body == ["one two three", "four"]


# the engine ------------------------------------------------------------------------------------------------
def test_rules_engine_is_loaded_once() -> None:
    assert enrich.load_engine("") is enrich.load_engine("")
    assert enrich.load_engine("").name == "rules"
    assert enrich.load_engine("").note is None


def test_missing_model_falls_back_to_the_rules_with_a_clear_message(caplog: pytest.LogCaptureFixture) -> None:
    enrich.nlp.load.cache_clear()
    with caplog.at_level(logging.WARNING, logger="tidings.enrich.nlp"):
        engine = enrich.load_engine("xx_no_such_model_sm")
    assert engine.name == "rules"
    assert not engine.statistical
    assert engine.note is not None
    assert "'xx_no_such_model_sm' is not installed" in engine.note
    assert "enrich_spacy_model" in engine.note
    assert any("not installed" in r.getMessage() for r in caplog.records)
    result = enrich.enrich(CanonicalArticle(None, None, tuple(SEED["body"]), None, None, None, None), engine)
    assert speakers(result, "at no point did I make comments") == {"Keith Kellogg"}


def test_source_key_changes_with_the_text_only() -> None:
    engine = enrich.load_engine("")
    a = article("One paragraph.")
    assert enrich.source_key(a, engine) == enrich.source_key(article("One paragraph."), engine)
    assert enrich.source_key(a, engine) != enrich.source_key(article("One paragraph!"), engine)


def test_try_enrich_logs_and_returns_none_on_a_bug(caplog: pytest.LogCaptureFixture) -> None:
    broken = CanonicalArticle(None, None, (None,), None, None, None, None)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="tidings.enrich"):
        assert enrich.try_enrich(broken, enrich.load_engine("")) is None
    assert caplog.records


def test_keypoints_count() -> None:
    assert [keypoints.count(n) for n in (1, 12, 13, 25)] == [3, 3, 4, 5]
