"""The parameters form: each field validated as typed, and the exact parameters it yields."""

from __future__ import annotations

import pytest

from routmy_tui.core.request import ChatParams, build_chat_body
from routmy_tui.ui.models.params_form import FormValues, form_from_params, parse_form


def test_empty_form_sends_nothing_extra() -> None:
    params, errors = parse_form(FormValues())
    assert errors == {}
    assert build_chat_body("m", [], params, stream=False) == {"model": "m", "messages": []}


@pytest.mark.parametrize(
    ("field", "text", "problem"),
    [
        ("temperature", "abc", "not a number"),
        ("temperature", "2.5", "from 0 to 2"),
        ("temperature", "nan", "from 0 to 2"),
        ("top_p", "1.1", "from 0 to 1"),
        ("max_tokens", "0", "1 or more"),
        ("max_tokens", "1.5", "not a whole number"),
        ("max_output_tokens", "-3", "1 or more"),
        ("metadata", "[1, 2]", "must be a JSON object"),
        ("metadata", "{bad", "invalid JSON"),
        ("extra", '"text"', "must be a JSON object"),
    ],
)
def test_bad_field_is_reported_and_left_unset(field: str, text: str, problem: str) -> None:
    params, errors = parse_form(FormValues(**{field: text}))
    assert problem in errors[field]
    assert set(errors) == {field}
    assert field not in params.to_dict()


def test_every_field_lands_in_the_body_as_typed() -> None:
    values = FormValues(
        temperature="0.3",
        top_p="0.9",
        max_tokens="1_000",
        max_output_tokens="800",
        stop='END\n"\\n\\n"',
        response_format="json_schema",
        schema_name="answer",
        schema='{"type": "object", "properties": {"a": {"type": "integer"}}}',
        schema_strict=False,
        reasoning="max_tokens",
        reasoning_max_tokens="2000",
        reasoning_exclude=True,
        tool_choice="required",
        metadata='{"user": "u1"}',
        extra='{"seed": 7, "top_k": 40}',
    )
    params, errors = parse_form(values)
    assert errors == {}
    body = build_chat_body("m", [], params, stream=False)
    assert body == {
        "model": "m",
        "messages": [],
        "temperature": 0.3,
        "top_p": 0.9,
        "max_tokens": 1000,
        "max_output_tokens": 800,
        "stop": ["END", "\n\n"],
        "response_format": {
            "type": "json_schema",
            "json_schema": {
                "name": "answer",
                "strict": False,
                "schema": {"type": "object", "properties": {"a": {"type": "integer"}}},
            },
        },
        "tool_choice": "required",
        "reasoning": {"max_tokens": 2000, "exclude": True},
        "metadata": {"user": "u1"},
        "seed": 7,
        "top_k": 40,
    }
    # The form shows the same parameters again when reopened.
    assert parse_form(form_from_params(params)) == (params, {})


def test_one_stop_line_is_a_string_and_effort_is_sent_as_effort() -> None:
    params, errors = parse_form(
        FormValues(stop="###", reasoning="high", response_format="json_object")
    )
    assert errors == {}
    assert params.stop == "###"
    assert params.reasoning == {"effort": "high"}
    assert params.response_format == {"type": "json_object"}


def test_schema_mode_needs_a_schema_and_a_good_name() -> None:
    _, errors = parse_form(FormValues(response_format="json_schema", schema_name="bad name"))
    assert "schema" in errors and "schema_name" in errors
    _, errors = parse_form(FormValues(reasoning="max_tokens"))
    assert "reasoning_max_tokens" in errors


def test_fields_the_form_does_not_show_are_kept() -> None:
    base = ChatParams(
        tools=[{"type": "function", "function": {"name": "f"}}],
        modalities=["image", "text"],
        tool_choice={"type": "function", "function": {"name": "f"}},
    )
    values = form_from_params(base)
    assert values.tool_choice == "keep"
    params, errors = parse_form(values, base)
    assert errors == {}
    assert params.tools == base.tools and params.modalities == ["image", "text"]
    assert params.tool_choice == base.tool_choice


def test_image_output_and_its_config_land_in_the_body() -> None:
    values = FormValues(image_output="on", aspect_ratio="16:9", image_size="2K")
    params, errors = parse_form(values)
    assert errors == {}
    body = build_chat_body("m", [], params, stream=False)
    assert body["modalities"] == ["image", "text"]
    assert body["image_config"] == {"aspect_ratio": "16:9", "image_size": "2K"}
    assert form_from_params(params) == values
    off, _ = parse_form(FormValues(image_output="off"))
    assert build_chat_body("m", [], off, stream=False)["modalities"] == ["text"]


def test_models_that_make_pictures_are_asked_for_them_unless_the_parameters_say() -> None:
    auto, _ = parse_form(FormValues(aspect_ratio="4:3"))
    body = build_chat_body("img", [], auto, stream=False, image_out=True)
    assert body["modalities"] == ["image", "text"]
    assert body["image_config"] == {"aspect_ratio": "4:3"}
    assert "modalities" not in build_chat_body("txt", [], auto, stream=False)
    off, _ = parse_form(FormValues(image_output="off"))
    assert build_chat_body("img", [], off, stream=False, image_out=True)["modalities"] == ["text"]


def test_unknown_image_config_keys_are_kept() -> None:
    base = ChatParams(image_config={"aspect_ratio": "1:1", "quality": "hd"})
    values = form_from_params(base)
    assert values.aspect_ratio == "1:1"
    params, _ = parse_form(FormValues(aspect_ratio="21:9"), base)
    assert params.image_config == {"quality": "hd", "aspect_ratio": "21:9"}
