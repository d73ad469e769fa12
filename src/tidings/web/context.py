"""What every handler needs, attached to the app once and handed to handlers as a dependency."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from tidings.settings import Settings
from tidings.store import Store


@dataclass(frozen=True, slots=True)
class WebContext:
    store: Store
    settings: Settings
    templates: Jinja2Templates
    clock: Callable[[], datetime]


def web_context(request: Request) -> WebContext:
    context = request.app.state.tidings
    if not isinstance(context, WebContext):  # only create_app builds apps that serve these handlers
        raise TypeError("the app was not built by tidings.web.create_app")
    return context


# The handler parameter type: `web: Web` gives a handler the app's context.
Web = Annotated[WebContext, Depends(web_context)]
