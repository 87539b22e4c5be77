"""The local AWS: moto with our doubles, EventBridge routing from template.yaml, and estate builders.

Test infrastructure treated as a product: the tests, the demo and the benchmarks all use it, and
no runtime package (model, engine, rules, remediations) imports it, so it never ships in the
Lambda package (deploy/package.py).
"""
