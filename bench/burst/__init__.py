"""A burst the size of an organisation: a discrete-event model of the engine against AWS's quotas.

Enabling a standard across 100 accounts x 4 Regions imports tens of thousands of failed findings
within minutes, each its own EventBridge event and Lambda invocation. This package models that
burst (`scenario`), Lambda's asynchronous queue and concurrency (`lambda_queue`), the engine's
calls with botocore's retries (`calls`) and the documented quotas as token buckets (`quotas`,
each figure with its source), on a small deterministic simulator (`des`); `report` runs it with
the template's controls and without them. Run: `python -m bench.burst`.
"""
