"""The spaCy pipeline enrich reads text with: rules by default, a statistical model when one is installed.

The default is `spacy.blank("en")` with the sentencizer: nothing to download, and the names are found by
the rules in `names`. Setting `enrich_spacy_model` to an installed spaCy package (e.g. `en_core_web_sm`)
lets its named-entity recogniser and parser find names and sentences instead; when the package is not
installed, enrich says so once and goes on with the rules. Loading takes about a second, so each pipeline
is loaded once per process (`load` is cached).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import spacy
from spacy.language import Language

log = logging.getLogger(__name__)
RULES = "rules"


@dataclass(frozen=True, slots=True)
class Engine:
    nlp: Language
    name: str  # RULES, or the spaCy model's package name
    note: str | None = None  # why the model asked for is not the one in use

    @property
    def statistical(self) -> bool:
        return self.name != RULES


@functools.lru_cache(maxsize=4)
def load(model: str = "") -> Engine:
    """The pipeline for `model` (empty: the rule-based one); falls back to the rules when it is missing."""
    model = model.strip()
    note = None
    if model:
        try:
            nlp = spacy.load(model, exclude=["lemmatizer", "textcat"])
        except (OSError, ImportError, ValueError) as exc:
            note = (
                f"enrich: spaCy model {model!r} is not installed ({type(exc).__name__}); using the "
                f"rule-based pipeline instead (install the model's package, or unset enrich_spacy_model)"
            )
            log.warning(note)
        else:
            if "ner" not in nlp.pipe_names:
                note = (
                    f"enrich: spaCy model {model!r} has no named-entity recogniser; using the rules for names"
                )
                log.warning(note)
            else:
                if not nlp.has_pipe("parser") and not nlp.has_pipe("senter"):
                    nlp.add_pipe("sentencizer")
                return Engine(nlp, model)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return Engine(nlp, RULES, note)
