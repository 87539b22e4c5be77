"""The engine's shared vocabulary: findings, plans, outcomes and errors.

Every other package imports from here and nothing here imports them, so the data flow
(events → engine → rules → remediations → resolve) has no arrows going back.
"""
