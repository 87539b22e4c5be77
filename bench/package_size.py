"""The built function's size without boto3 (and without Powertools, which comes as a layer).

Reuses the template's packager (`deploy.package`): the same build `sam build` runs, measured
unzipped (Lambda's 250 MB limit counts that) and zipped (what is uploaded).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.figures import Figure


def package_size() -> list[Figure]:
    try:
        from deploy.package import FUNCTION_PACKAGES, build, bundled_dependencies, size
    except ImportError as error:
        return [
            Figure(
                "package size (unzipped, without boto3)", None, "KB", 1000, detail=f"not measured: {error}"
            )
        ]
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "function"
        build(target)
        unzipped, zipped = size(target)
    contents = ", ".join([*FUNCTION_PACKAGES, *bundled_dependencies()])
    return [
        Figure(
            "package size (unzipped, without boto3)",
            unzipped / 1000,
            "KB",
            1000,
            detail=f"{zipped / 1000:.0f} KB zipped; {contents} (Powertools from its layer)",
        )
    ]
