"""Types the house file's sections share: a strict model (unknown keys refused, frozen), slugs, language codes and
sentences given per language."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,62}$")]
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Description(Strict):
    """A sentence in English, and in Japanese when given."""

    en: str = Field(description="The sentence in English.")
    ja: str | None = Field(default=None, description="The sentence in Japanese.")
