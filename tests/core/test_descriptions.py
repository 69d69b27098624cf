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


def test_shared_arguments_errors_and_interface_fields_say_the_same_everywhere() -> None:
    from yizhan.core.graphql.descriptions import COMMON_ARGUMENTS, ERRORS_FIELD, INPUT_ARGUMENT
    from yizhan.core.graphql.schema import build_schema

    schema = build_schema()._schema
    query, mutation = schema.get_type("Query"), schema.get_type("Mutation")
    for field in ("needs", "creditVouchers", "merchants", "webhooks"):  # core's and plugins'
        for name in ("community", "first", "after"):
            assert query.fields[field].args[name].description == COMMON_ARGUMENTS[name]
    assert schema.get_type("PostNeedInput").fields["community"].description == (
        COMMON_ARGUMENTS["community"])
    for field in ("postNeed", "transferCredits", "submitRedemption", "createWebhook"):
        assert mutation.fields[field].args["input"].description == INPUT_ARGUMENT
    assert schema.get_type("NeedPayload").fields["errors"].description == ERRORS_FIELD
    node_id = schema.get_type("Node").fields["id"].description
    assert node_id and schema.get_type("CreditVoucher").fields["id"].description == node_id
