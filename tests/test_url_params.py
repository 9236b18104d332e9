"""URL settings are untrusted input: anything malformed, unknown or out of range means the default."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from components.url_params import Choice, Flag, Number, Several, Text, query, read

FAULT = Choice("fault", ("none", "drop", "stall"), "drop")
AFTER = Number("after", 1, 200, 40, 1)
CHANCE = Number("p", 0.005, 0.1, 0.02, 0.005)
TRANSIENT = Flag("transient", True)
PROMPT = Text("prompt", "Why stream?")
COMPARE = Several("compare", ("a", "b", "c", "d"), ("a", "b"), 2, 3)
SETTINGS = (FAULT, AFTER, CHANCE, TRANSIENT, PROMPT, COMPARE)


@given(st.dictionaries(st.sampled_from([s.name for s in SETTINGS] + ["other"]),
                       st.lists(st.text(max_size=40), max_size=3)))
def test_any_url_gives_valid_values_and_never_raises(params: dict[str, list[str]]) -> None:
    values = read(params, SETTINGS)
    assert values["fault"] in FAULT.options
    assert 1 <= values["after"] <= 200 and isinstance(values["after"], int)
    assert 0.005 <= values["p"] <= 0.1
    assert isinstance(values["transient"], bool)
    assert values["prompt"].strip() and len(values["prompt"]) <= PROMPT.max_chars
    assert 2 <= len(values["compare"]) <= 3 and set(values["compare"]) <= set(COMPARE.options)
    assert read({k: [v] for k, v in query(values, SETTINGS).items()}, SETTINGS) == values  # round trip


def test_a_bookmarked_scenario_is_read_as_written() -> None:
    values = read({"fault": ["stall"], "after": ["150"], "p": ["0.05"], "transient": ["0"],
                   "prompt": ["Hi there"], "compare": ["c,a,d"]}, SETTINGS)
    assert values == {"fault": "stall", "after": 150, "p": 0.05, "transient": False, "prompt": "Hi there",
                      "compare": ("c", "a", "d")}


def test_bad_values_fall_back_to_the_default() -> None:
    bad = {"fault": ["Stall"], "after": ["999"], "p": ["nan"], "transient": ["maybe"],
           "prompt": ["  "], "compare": ["a,a"]}
    assert read(bad, SETTINGS) == read({}, SETTINGS)
    assert AFTER.parse(["abc"]) is None and AFTER.parse(["0"]) is None and AFTER.parse(["1e400"]) is None
    assert CHANCE.parse(["inf"]) is None and CHANCE.parse(["0.0231"]) == 0.025  # on the slider's grid
    assert all(COMPARE.parse([bad]) is None for bad in ("a", "a,b,c,d", "a,z", ""))
    assert PROMPT.parse(["x" * 501]) is None
    assert FAULT.parse(["drop", "stall"]) == "stall"  # a repeated parameter: the last one counts


def test_only_what_differs_from_the_default_goes_into_the_url() -> None:
    values = read({"after": ["40"], "fault": ["stall"]}, SETTINGS)
    assert query(values, SETTINGS) == {"fault": "stall"}
    assert query({"p": 0.02, "transient": False, "compare": ["b", "c"]}, SETTINGS) == {
        "transient": "0", "compare": "b,c"}
