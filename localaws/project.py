"""Where the project's own files are: the sample events in `events/` and `template.yaml`.

They sit at the top of a checkout, beside the packages, not inside one: `sam local invoke -e`
and `sam build` read them there, so they are not copied into `localaws`. An explicit root beats
the `LOCALAWS_PROJECT_ROOT` environment variable, which beats the checkout this package was
imported from (an editable install or `python -m` in the checkout), which beats the working
directory (a regular install run from a checkout). When none holds the file, the error says
which roots were tried and how to point at one.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT_VARIABLE = "LOCALAWS_PROJECT_ROOT"
_CHECKOUT = Path(__file__).resolve().parents[1]


class ProjectFileNotFoundError(FileNotFoundError):
    """A project file (e.g. `template.yaml`) is in none of the roots tried."""


def project_roots(root: Path | str | None = None) -> list[Path]:
    """The roots searched, in order of precedence, without duplicates."""
    candidates = [root, os.environ.get(PROJECT_ROOT_VARIABLE), _CHECKOUT, Path.cwd()]
    roots: list[Path] = []
    for candidate in candidates:
        if candidate and Path(candidate).resolve() not in roots:
            roots.append(Path(candidate).resolve())
    return roots


def project_path(name: str, root: Path | str | None = None) -> Path:
    """`name` (a file or folder of the checkout) under the first root that has it."""
    roots = project_roots(root)
    for candidate in roots:
        if (candidate / name).exists():
            return candidate / name
    tried = ", ".join(str(candidate) for candidate in roots)
    raise ProjectFileNotFoundError(
        f"{name} is not in {tried}: run from a checkout of the project or set {PROJECT_ROOT_VARIABLE} to one"
    )
