"""Each function's package size without boto3 (and without Powertools, which comes as a layer).

Reuses the template's packager (`deploy.package`): the same build `sam build` runs for each
function (its family's code only), measured unzipped (the figure the 1 MB limit counts) and
zipped (what is uploaded). The families come from the registry, as the template's functions do.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.figures import Figure


def package_size() -> list[Figure]:
    try:
        from deploy.contents import FUNCTION_PACKAGES
        from deploy.functions import families
        from deploy.package import SIZE_LIMIT, build, bundled_dependencies, size
        from rules.registry import load_registry
    except ImportError as error:
        return [
            Figure(
                "package size (unzipped, without boto3)", None, "KB", 1000, detail=f"not measured: {error}"
            )
        ]
    contents = ", ".join([*FUNCTION_PACKAGES, *bundled_dependencies()])
    figures = []
    with tempfile.TemporaryDirectory() as scratch:
        for family in families(load_registry().rules):
            target = Path(scratch) / family.function_id
            build(target, family.name)
            unzipped, zipped = size(target)
            figures.append(
                Figure(
                    f"package size of {family.function_id} (unzipped, without boto3)",
                    unzipped / 1000,
                    "KB",
                    SIZE_LIMIT / 1000,
                    detail=f"{zipped / 1000:.0f} KB zipped; {contents} of the {family.name} family "
                    "(Powertools from its layer)",
                )
            )
    return figures
