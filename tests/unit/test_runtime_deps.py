"""Every optional backend the worker can reach is installed by requirements.txt alone (as in Docker).

The test venv has more (moto brings cryptography), so importing is not enough: each backend's
distribution must be in the closure of requirements.txt's pins.
"""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
import pathlib
import re

import pytest
from packaging.requirements import Requirement

REQUIREMENTS = pathlib.Path(__file__).parents[2] / "requirements.txt"
# module -> what needs it. Optional imports: without them the worker still runs, but counts wrong.
BACKENDS = {
    "cryptography": "pypdf: AES-encrypted PDFs (empty user password)",
    "fontTools": "pypdf: the encodings of CFF Type1 fonts",
    "charset_normalizer": "txt: legacy encodings",
    "ijson.backends.yajl2_c": "json: the C parser (the pure-Python one is 30x slower)",
    "py3langid": "txt, rtf, json: the language of the text",
    "numpy": "py3langid: the arithmetic of its model",
    "pypdfium2": "pdf: PDF_ENGINE=pypdfium2",
}


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", requirement).lower()


def installed_by_requirements() -> set[str]:
    """The distributions a venv built from requirements.txt alone holds (pins and their dependencies)."""
    pending = [
        Requirement(line) for line in REQUIREMENTS.read_text().splitlines() if line and line[0].isalnum()
    ]
    seen: set[str] = set()
    while pending:
        requirement = pending.pop()
        name = _name(requirement.name)
        if name in seen or (requirement.marker and not requirement.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        for extra_requirement in metadata.requires(requirement.name) or []:
            nested = Requirement(extra_requirement)
            if not nested.marker or nested.marker.evaluate({"extra": ""}):
                pending.append(nested)
    return seen


@pytest.mark.parametrize("module", sorted(BACKENDS))
def test_backend_is_installed_by_requirements_txt(module: str) -> None:
    importlib.import_module(module)
    top = module.split(".")[0]
    distributions = {_name(name) for name in metadata.packages_distributions().get(top, [])}
    assert distributions & installed_by_requirements(), (
        f"{module} ({BACKENDS[module]}) is not in requirements.txt"
    )


def test_pypdf_decrypts_aes_with_cryptography() -> None:
    from pypdf._crypt_providers import crypt_provider

    assert crypt_provider[0] == "cryptography"


def test_py3langid_ships_its_model() -> None:
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    assert (MODEL_DIR / MODEL_FILE).stat().st_size > 1_000_000  # no download at run time
