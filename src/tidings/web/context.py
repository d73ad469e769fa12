"""What every handler needs, attached to the app once and handed to handlers as a dependency."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from argon2 import PasswordHasher
from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from tidings.settings import Settings
from tidings.store import Store, accounts


@dataclass(frozen=True, slots=True)
class WebContext:
    store: Store
    settings: Settings
    templates: Jinja2Templates
    clock: Callable[[], datetime]
    hasher: PasswordHasher = field(default_factory=PasswordHasher)
    # Made on first use, not at start-up: an app over a database that is not there yet still starts.
    _lazy: dict[str, str] = field(default_factory=dict)
    # Small values worth keeping for a while (see `sections`), guarded by `lock`.
    cache: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def secret_key(self) -> str:
        if "secret" not in self._lazy:
            configured = str(self.settings.secret_key or "")
            self._lazy["secret"] = configured or accounts.app_key(self.store, "csrf")
        return self._lazy["secret"]

    def dummy_hash(self) -> str:
        if "dummy" not in self._lazy:
            self._lazy["dummy"] = self.hasher.hash("a password nobody has")
        return self._lazy["dummy"]


def web_context(request: Request) -> WebContext:
    context = request.app.state.tidings
    if not isinstance(context, WebContext):  # only create_app builds apps that serve these handlers
        raise TypeError("the app was not built by tidings.web.create_app")
    return context


# The handler parameter type: `web: Web` gives a handler the app's context.
Web = Annotated[WebContext, Depends(web_context)]
