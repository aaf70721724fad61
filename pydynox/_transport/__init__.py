"""Layer 4, transport: all I/O.

The seam is ``send(op, request) -> response`` on a ``SyncTransport`` / ``AsyncTransport``
(one per client; per-loop and per-process pools inside), the two drivers that run protocol
plans on them, the wire sender (HTTP/1.1, SigV4) and the botocore senders with their error
translation. botocore is imported only in this layer.
"""
