"""Schema descriptions come from docstrings: class, resolver (with its ``Args:``), attribute
docstrings of plain fields, input fields and enum values; an explicit description wins."""

from __future__ import annotations

from enum import Enum

import strawberry

from yizhan.core.graphql.descriptions import describe_from_docstrings


@strawberry.enum
class Mood(Enum):
    """How a neighbour feels."""

    GLAD = "glad"
    """Pleased with the help."""
    TIRED = "tired"


@strawberry.input
class ThankInput:
    """Thanks to send."""

    text: str
    """The words, as typed."""


@strawberry.type
class Thanks:
    """A thank-you note."""

    text: str
    """The words of the note."""
    mood: Mood = strawberry.field(description="Given explicitly.")
    plain: int = 0

    @strawberry.field
    def shout(self, times: int, loud: bool = True) -> str:
        """The note repeated.

        Args:
            times: How many times, at least one;
                more is louder.
            loud: Upper case when true.
        """
        return self.text * times


@strawberry.type
class Query:
    @strawberry.field
    def thanks(self, input: ThankInput | None = None) -> Thanks:
        """One note."""
        return Thanks(text="谢谢", mood=Mood.GLAD)


def _schema():
    schema = strawberry.Schema(query=Query)
    describe_from_docstrings(schema)
    return schema._schema


def test_types_and_fields_take_their_docstrings() -> None:
    schema = _schema()
    thanks = schema.get_type("Thanks")
    assert thanks.description == "A thank-you note."
    assert thanks.fields["text"].description == "The words of the note."
    assert thanks.fields["mood"].description == "Given explicitly."
    assert thanks.fields["plain"].description is None
    assert thanks.fields["shout"].description == "The note repeated."
    args = thanks.fields["shout"].args
    assert args["times"].description == "How many times, at least one; more is louder."
    assert args["loud"].description == "Upper case when true."
    assert schema.get_type("Query").fields["thanks"].description == "One note."
    assert schema.get_type("Query").description == (
        "Every read: core's fields and those of each installed plugin.")


def test_inputs_and_enum_values_take_attribute_docstrings() -> None:
    schema = _schema()
    assert schema.get_type("ThankInput").description == "Thanks to send."
    assert schema.get_type("ThankInput").fields["text"].description == "The words, as typed."
    mood = schema.get_type("Mood")
    assert mood.description == "How a neighbour feels."
    assert mood.values["GLAD"].description == "Pleased with the help."
    assert mood.values["TIRED"].description is None
