"""The local demo: a vulnerable estate in moto, remediated by the stack's own functions."""
