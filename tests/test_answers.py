"""The canned answers say what the simulated model then does: an answer's own numbers match the run."""

from __future__ import annotations

import re

from langchain_core.messages import HumanMessage

from components.config import ProviderSettings
from components.models.answers import ANSWERS, pick_answer
from components.models.prompts import SAMPLE_PROMPT
from components.models.simulated_model import SimulatedChatModel, tokenize

WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
PHONE_CODE_CHARS = 36
"""Characters of code that fit a 390-px phone's answer box without cutting a line off."""


def test_the_why_stream_answer_states_its_own_length_and_duration() -> None:
    defaults = ProviderSettings()
    model = SimulatedChatModel(ttft_s=defaults.ttft_ms / 1000, tokens_per_second=defaults.tokens_per_second)
    plan = model.plan([HumanMessage(SAMPLE_PROMPT)])
    text = pick_answer(SAMPLE_PROMPT).text
    stated_rate = int(re.search(r"(\d+) tokens per second", text).group(1))
    stated_tokens = int(re.search(r"about (\d+) tokens long", text).group(1))
    spoken = re.search(r"needs some (\w+) seconds", text).group(1)
    stated_seconds = WORDS[spoken]
    assert stated_rate == defaults.tokens_per_second
    assert abs(stated_tokens - len(plan.tokens)) <= 0.1 * len(plan.tokens)
    assert abs(stated_seconds - plan.duration) < 0.75
    assert f"for all {spoken} seconds" in text  # the bullet about blocking says the same


def test_code_in_the_lesson_answers_fits_a_phone() -> None:
    for answer in ANSWERS:
        for block in re.findall(r"```\w*\n(.*?)```", answer.text, re.S):
            longest = max(block.splitlines(), key=len)
            assert len(longest) <= PHONE_CODE_CHARS, f"{answer.key}: {longest!r}"
    assert all(len(tokenize(a.text)) > 0 for a in ANSWERS)
