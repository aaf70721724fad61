"""Benchmarks of pydynox against its peers: ``python -m benchmarks`` (see docs/performance.md).

Layout:

- ``harness`` runs everything: the fake server, one process per measurement, the table.
- ``server`` is the fake DynamoDB (its own process, so its CPU is not the client's).
- ``_common`` holds the canned data and the measuring loop shared by both workers. It is
  standard library only, because the peers' worker loads it from its own virtual environment.
- ``worker_ours`` drives this project's clients with the current interpreter.
- ``worker_peers`` drives the peers (boto3, aioboto3, PynamoDB, dyntastic and the PyPI
  library also named pydynox) with the interpreter of ``.bench/peers``, isolated from this
  repository so that ``import pydynox`` there is the other library.
- ``parsers`` times HTTP/1.1 answer parsers (ours, h11, httptools) on the fake server's
  answers, with the current interpreter and with that of ``.bench/peers``.
"""
