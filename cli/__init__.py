"""`remediator`: run the engine from a terminal (invoke, sweep, undo, rules)."""
