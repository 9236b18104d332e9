"""Throttled buffers in a real Chromium: every column types live and ends with the identical answer."""

from __future__ import annotations

import re
import time

from components.rendering.markdown_blocks import CURSOR
from components.rendering.strategies import DEFAULT_COMPARISON
from tests.support.browser import ARTIFACTS

VERDICT = ".st-key-throttling_verdict [data-testid='stAlert']"


def test_three_policies_stream_side_by_side_to_the_same_text(page, app_url) -> None:
    page.goto(f"{app_url}/throttling")
    page.get_by_role("button", name="Stream side by side").click()
    columns = [page.locator(f".st-key-throttled_{key}") for key in DEFAULT_COMPARISON]
    columns[-1].get_by_text("Streaming sends the answer", exact=False).first.wait_for(timeout=15_000)

    saw_cursor = False
    lengths: list[int] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not page.locator(VERDICT).count():
        text = columns[-1].inner_text()
        saw_cursor |= CURSOR in text
        lengths.append(len(text))
        if len(lengths) == 15:
            page.screenshot(path=str(ARTIFACTS / "throttling_streaming.png"), full_page=True)
        time.sleep(0.2)
    page.locator(VERDICT).wait_for(timeout=5_000)
    page.screenshot(path=str(ARTIFACTS / "throttling_done.png"), full_page=True)

    finals = [c.inner_text().replace(CURSOR, "") for c in columns]
    assert len(finals[0]) > 3000
    assert finals[0] == finals[1] == finals[2]
    assert re.search(r"[A-Za-z)][.!?]$", finals[0].strip()), f"ends mid-sentence: {finals[0][-50:]!r}"
    assert not re.search(r"sk-[\w-]{6,}|@", finals[0]), "the answer holds key-like or e-mail text"
    boxes = [c.bounding_box() for c in columns]
    assert max(b["y"] for b in boxes) - min(b["y"] for b in boxes) < 2, f"boxes misaligned: {boxes}"
    assert max(b["height"] for b in boxes) - min(b["height"] for b in boxes) < 2
    page_height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    assert page_height < 3000, f"the page grew to {page_height} px"
    assert saw_cursor, "the block-incremental column never showed where typing is"
    assert len({n for n in lengths if n}) >= 5, f"the text did not grow in steps: {lengths}"
    assert "identical final text" in page.locator(VERDICT).inner_text()
