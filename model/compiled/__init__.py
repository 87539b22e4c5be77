"""Validators compiled ahead of time from the engine's JSON Schemas (see model.schema)."""
