"""The shortest hand-written fix for one S3.17 finding: the same three calls the engine makes."""

import json
import sys

import boto3
from botocore.exceptions import ClientError

with open(sys.argv[1], encoding="utf-8") as file:
    finding = json.load(file)["detail"]["findings"][0]
bucket = finding["Resources"][0]["Id"].split(":::", 1)[1]
s3 = boto3.client("s3")
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
boto3.client("securityhub").batch_update_findings(
    FindingIdentifiers=[{"Id": finding["Id"], "ProductArn": finding["ProductArn"]}],
    Workflow={"Status": "RESOLVED"},
    Note={"Text": "default encryption set to aws:kms", "UpdatedBy": "script"},
)
