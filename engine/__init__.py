"""The Lambda side of the engine: parse an event, route each finding, remediate, resolve."""
