"""Settings from the environment (the usual AWS variables, plus the shop's own)."""

from __future__ import annotations

import os
import secrets

from pydantic import BaseModel


class Settings(BaseModel):
    """Where DynamoDB is and how the app serves.

    - ``endpoint_url``: ``AWS_ENDPOINT_URL_DYNAMODB`` or ``AWS_ENDPOINT_URL``; when neither
      is set the app starts an embedded local DynamoDB and creates its table.
    - ``region``: ``AWS_REGION`` / ``AWS_DEFAULT_REGION`` (``us-east-1`` for the embedded one).
    - ``cursor_secret``: ``PYDYNOX_CURSOR_SECRET``, which signs page cursors; give every
      server of one API the same secret. Without one, a random secret is made at start-up
      (cursors then stop working when the process restarts).
    - ``create_tables``: ``SHOP_CREATE_TABLES=1`` creates the table on a real endpoint if it
      is missing. The table's name is ``SHOP_TABLE`` (``shop``), read by ``models.py``; a
      ``PYDYNOX_TABLE_PREFIX`` goes before it.
    - ``host`` / ``port``: ``SHOP_HOST`` / ``SHOP_PORT`` (``127.0.0.1:8000``).
    """

    endpoint_url: str | None = None
    region: str | None = None
    cursor_secret: str = ""
    create_tables: bool = False
    host: str = "127.0.0.1"
    port: int = 8000

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            endpoint_url=env.get("AWS_ENDPOINT_URL_DYNAMODB") or env.get("AWS_ENDPOINT_URL"),
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"),
            cursor_secret=env.get("PYDYNOX_CURSOR_SECRET") or secrets.token_urlsafe(32),
            create_tables=env.get("SHOP_CREATE_TABLES", "") in ("1", "true", "yes"),
            host=env.get("SHOP_HOST", "127.0.0.1"),
            port=int(env.get("SHOP_PORT", "8000")),
        )

    @property
    def embedded(self) -> bool:
        return self.endpoint_url is None
