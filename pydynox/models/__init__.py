"""Pydantic models with DynamoDB persistence (arrives with the models issue)."""

__all__: list[str] = []
