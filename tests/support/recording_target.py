"""A stand-in for Streamlit's DeltaGenerator that remembers what each element shows, in order."""

from __future__ import annotations


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
