"""A scenario document as text: read from JSON or YAML, the bundled ones by name, and the
two ways it can be refused (not a document; a document that does not validate)."""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import yaml

from sandbox.errors import BadRequest, Unprocessable, flatten_errors


class DocumentError(BadRequest):
    """The document is not parseable YAML or JSON, or not a mapping (400)."""


class ScenarioInvalid(Unprocessable):
    """The document does not validate (422); ``messages`` maps paths to messages (nested as
    marshmallow reports them, or flat ``{"a[0].b": [...]}``), each one an entry of the
    problem's ``errors``."""

    def __init__(self, messages: dict, detail: str = "The scenario document is invalid."):
        super().__init__(detail)
        self.messages = messages

    def problem_errors(self) -> list[dict]:
        return flatten_errors(messages=self.messages, location="json")

    def flat(self) -> list[dict]:
        """``[{"path", "message"}]``, one entry per problem."""
        return flatten_errors(self.messages)


def mimetype_of(path: Path) -> str:
    """The media type a scenario file is read as, from its extension."""
    return "application/json" if path.suffix.lower() == ".json" else "application/yaml"


def parse_document(text: str, mimetype: str | None) -> dict:
    """Parse a scenario from JSON or YAML text (YAML unless the media type says JSON)."""
    try:
        document = json.loads(text) if mimetype == "application/json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise DocumentError(f"not valid {'JSON' if mimetype == 'application/json' else 'YAML'}: "
                            f"{error}") from None
    if not isinstance(document, dict):
        raise DocumentError("a scenario document is a mapping with a `banks` list")
    return document


def bundled_scenario(name: str) -> Path:
    """The path of a ready scenario shipped in ``fixtures/scenarios`` (``name`` without
    extension); raises ``FileNotFoundError`` naming the available ones."""
    folder = resources.files("sandbox") / "fixtures" / "scenarios"
    candidate = folder / f"{name}.yaml"
    if not candidate.is_file():
        available = sorted(entry.name[:-5] for entry in folder.iterdir()
                           if entry.name.endswith(".yaml"))
        raise FileNotFoundError(f"no scenario {name!r}; bundled: {', '.join(available)}")
    return Path(str(candidate))
