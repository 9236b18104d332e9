"""Text that grows piece by piece, joined only when someone needs it whole.

Streams arrive as thousands of small pieces; building the whole string on every piece (`+=` on a
shared string, `"".join` per token) makes a long answer quadratic. Buffers, the recovery
supervisor's view of the screen and its attempts all keep their text here instead.
"""

from __future__ import annotations


class TextPieces:
    """Pieces of one text: length and the last characters are cheap, the whole text on demand."""

    def __init__(self, text: str = "") -> None:
        self._pieces = [text] if text else []
        self.length = len(text)

    def add(self, piece: str) -> None:
        if piece:
            self._pieces.append(piece)
            self.length += len(piece)

    def replace(self, text: str = "") -> None:
        self._pieces, self.length = ([text] if text else []), len(text)

    def clear(self) -> None:
        self.replace("")

    def text(self) -> str:
        if len(self._pieces) > 1:
            self._pieces[:] = ["".join(self._pieces)]
        return self._pieces[0] if self._pieces else ""

    __str__ = text

    def __len__(self) -> int:
        return self.length

    def __bool__(self) -> bool:
        return self.length > 0

    def __getitem__(self, key: slice) -> str:
        """`pieces[-n:]` walks back over the last pieces only; any other slice joins."""
        if not (isinstance(key, slice) and key.start is not None and key.start < 0 and key.stop is None):
            return self.text()[key]
        need, tail = -key.start, []
        for piece in reversed(self._pieces):
            tail.append(piece)
            need -= len(piece)
            if need <= 0:
                break
        return "".join(reversed(tail))[key]
