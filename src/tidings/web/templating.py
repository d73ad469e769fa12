"""The Jinja environment: autoescaping for every template, strict undefined names, and the display filters."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2
from fastapi.templating import Jinja2Templates

from tidings.web import fragments, present

TEMPLATE_DIR = Path(__file__).parent / "templates"


@cache  # one environment per process: compiled templates are shared by every app (and every test)
def build_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        # Everything shown comes from other sites: escape in every template, whatever its extension.
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        absolute_time=present.absolute_time,
        relative_time=present.relative_time,
        iso_time=present.iso_time,
        external_url=present.external_url,
    )
    env.globals.update(
        when=fragments.when,
        article_link=fragments.article_link,
        publisher_of=fragments.publisher_of,
        publisher_label=present.publisher_label,
        sites=present.sites,
        source_path=present.source_path,
        publisher_path=present.publisher_path,
    )
    return Jinja2Templates(env=env)
