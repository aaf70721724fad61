"""Layer 1, values: Python values <-> DynamoDB attribute values, exact numbers, item sizes.

Pure functions; imports nothing of pydynox but ``exceptions``. Everything above (expressions,
protocol, client, models) converts values only through here.
"""
