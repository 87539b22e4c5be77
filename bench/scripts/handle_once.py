"""One Lambda invocation in a fresh process: import the handler, handle the event file in argv[1]."""

import json
import sys

from engine.handler import lambda_handler


class Context:
    function_name = "S3RemediationFunction"
    memory_limit_in_mb = 256
    aws_request_id = "bench"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:S3RemediationFunction"


with open(sys.argv[1], encoding="utf-8") as file:
    report = lambda_handler(json.load(file), Context())
assert report["summary"] == {"remediated": 1}, report
