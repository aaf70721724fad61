"""pydynox's test kit for users: ``local_dynamodb`` / ``local_client`` and the pytest plugin
(``pydynox.testing.plugin``) with its fixtures. Nothing in the package imports it.
"""

from pydynox.local import local_client, local_dynamodb

__all__ = ["local_client", "local_dynamodb"]
