"""Start the shop API: ``python examples/fastapi/run.py``, then open http://127.0.0.1:8000/docs.

With no ``AWS_ENDPOINT_URL_DYNAMODB`` set it runs on an embedded local DynamoDB (moto's server
on 127.0.0.1): no AWS account, no Docker. See ``shop/settings.py`` for the other settings.
"""

from __future__ import annotations

import uvicorn
from shop.app import create_app
from shop.settings import Settings

if __name__ == "__main__":
    settings = Settings.from_env()
    print(f"shop API on http://{settings.host}:{settings.port}/docs", flush=True)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)
