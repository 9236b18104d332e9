"""A stand-in for Streamlit's DeltaGenerator that remembers what each element shows, in order."""

from __future__ import annotations

from components.rendering.typing_sink import replay


class RecordingTarget:
    """Each `empty()`/`container()` is a new element; `screen()` is what the user would now see."""

    def __init__(self) -> None:
        self.elements: list[RecordingTarget] = []
        self.bodies: list[str] = []

    def markdown(self, body: str) -> RecordingTarget:
        self.bodies.append(body)
        return self

    def empty(self) -> RecordingTarget:
        element = RecordingTarget()
        self.elements.append(element)
        return element

    container = empty

    def screen(self) -> list[str]:
        """The current body of every element, in page order (an element shows its last body)."""
        shown = [self.bodies[-1]] if self.bodies else []
        for element in self.elements:
            shown += element.screen()
        return shown

    def typing_view(self, view: str) -> RecordingFeed:
        """A typing view: it shows what its appends add up to (typing_sink.replay)."""
        feed = RecordingFeed(view)
        self.elements.append(feed)
        return feed


class RecordingFeed(RecordingTarget):
    """The appends sent to one typing view, in order."""

    def __init__(self, view: str) -> None:
        super().__init__()
        self.view = view
        self.payloads: list[str] = []

    def append(self, payload: str) -> None:
        self.payloads.append(payload)

    def screen(self) -> list[str]:
        return [replay(self.payloads)[0]] if self.payloads else []
