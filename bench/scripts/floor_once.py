"""The physical floor of one S3.17 fix: `import boto3`, a session, the clients the fix uses, its calls.

Nothing else: no parsing beyond the finding's id and bucket, no checks, no logging. The engine
makes the same three calls (GetBucketEncryption, PutBucketEncryption, BatchUpdateFindings).
With `--botocore` the session and clients come from botocore alone, as the engine makes them
(engine/clients.py): the floor of a program that does not import boto3.
"""

import json
import sys
from typing import Any

from botocore.exceptions import ClientError

with open(sys.argv[-1], encoding="utf-8") as file:
    finding = json.load(file)["detail"]["findings"][0]
bucket = finding["Resources"][0]["Id"].split(":::", 1)[1]
session: Any
if "--botocore" in sys.argv:
    from botocore.session import Session

    session = Session()
    session.client = session.create_client
else:
    import boto3

    session = boto3.Session()
s3 = session.client("s3")
try:
    s3.get_bucket_encryption(Bucket=bucket)
except ClientError:
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}
            ]
        },
    )
session.client("securityhub").batch_update_findings(
    FindingIdentifiers=[{"Id": finding["Id"], "ProductArn": finding["ProductArn"]}],
    Workflow={"Status": "RESOLVED"},
    Note={"Text": "default encryption set to aws:kms", "UpdatedBy": "script"},
)
