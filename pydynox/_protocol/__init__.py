"""Layer 3, protocol: DynamoDB without I/O.

Request builders and response parsers for every operation, the plans that drive multi-step
work (single items, paging, batches, transactions, tables) as generators of ``Call`` and
``Sleep`` steps, cursors, the retry rules and the decoding of JSON error answers. Nothing
here opens a socket, sleeps or knows about asyncio: ``pydynox._transport`` runs the plans.
"""
