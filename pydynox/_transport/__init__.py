"""Layer 4, transport: all I/O.

The seam is ``call(op, request) -> response`` on a ``SyncTransport`` / ``AsyncTransport``
(``_transports``; one per client, configured by ``_settings.Settings``; per-loop and
per-process pools inside), the two drivers that run protocol plans on them (``_drivers``), the
wire sender (``_wire``: HTTP/1.1 pools, SigV4) and the botocore senders (``_botocore``) with
their error translation (``_botocore_errors``). botocore is imported only in this layer.
"""
