"""The pydynox loggers: route per-call DEBUG lines and retry WARNINGs where you want them."""

import logging
import sys

from pydynox import DynamoDBClient

# pydynox.calls: DEBUG one line per call, WARNING on throttled retries and on giving up.
# pydynox: the client's other warnings (verify=False...). Lines never hold item values,
# keys or credentials.
handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
calls = logging.getLogger("pydynox.calls")
calls.addHandler(handler)
calls.setLevel(logging.DEBUG)

captured: list[str] = []


class Keep(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        captured.append(record.getMessage())


calls.addHandler(Keep())

with DynamoDBClient() as client:
    client.sync_create_table("obs-logs", partition_key=("pk", "S"))
    client.sync_put_item("obs-logs", {"pk": "a-secret-key", "note": "a-secret-value"})

assert any(line.startswith("PutItem obs-logs status=200") for line in captured), captured
assert not any("a-secret" in line for line in captured)  # no values, no keys
