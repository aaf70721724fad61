"""A small shop API on pydynox: users and their orders, with FastAPI.

Run it with ``python examples/fastapi/run.py``: with no DynamoDB endpoint configured it starts
an embedded local DynamoDB (moto's server on 127.0.0.1) and creates its table.
"""
