"""Records that end in an empty cell, found during the DuckDB engine's byte scan
(`records.prepare`): DuckDB's reader drops empty cells beyond the schema's width, where
frictionless reports `extra-cell`, so such records are counted here.
"""

from __future__ import annotations

from typing import Any

from clusterdata.core.package import Resource


class Trailing:
    """Records that end in an empty cell (`1,2,` or `1,2,""`): DuckDB's reader silently drops
    empty cells beyond the schema's width (DuckDB 2.0: `1,2,,` read as two columns is `1, 2`,
    no reject), where frictionless reports `extra-cell`. Their cells are counted here, during
    the byte scan: the delimiters outside quotes in each such record, vectorised, costing
    nothing for a file with no such record. A record whose start lies in an earlier chunk, or
    that holds a quote, is parsed by the csv module instead (`unsure`).
    """

    def __init__(self, resource: Resource, width: int) -> None:
        self.delimiter = resource.delimiter.encode("utf-8")[0]
        self.quote = resource.quote_char.encode("utf-8")[0]
        self.width = width
        self.records_before = 0
        self.previous_end = -1  # absolute position of the last record-ending newline
        self.ragged = False
        self.unsure: list[int] = []

    def ends_empty(self, record_tail: bytes) -> bool:
        """Whether a record ending in these bytes (no newline) ends in an empty cell."""
        body = record_tail.rstrip(b"\r")
        return body.endswith(bytes([self.delimiter])) or body.endswith(
            bytes([self.delimiter, self.quote, self.quote])
        )

    def scan(self, buffer: Any, ends: Any, offset: int, quotes: Any, parity: int) -> None:
        import numpy as np

        count = len(ends)
        if not count:
            return
        try:
            if self.ragged:
                return
            length = len(buffer)
            # Last byte of each record's content: before the newline, and before a CR.
            last = ends - 1
            has_cr = np.zeros(count, dtype=bool)
            ok = last >= 0
            has_cr[ok] = buffer[last[ok]] == 13
            last = last - has_cr
            inside = last >= 0
            flagged = np.zeros(count, dtype=bool)
            flagged[inside] = buffer[last[inside]] == self.delimiter
            two = last >= 2
            quoted_empty = np.zeros(count, dtype=bool)
            quoted_empty[two] = (
                (buffer[last[two]] == self.quote)
                & (buffer[last[two] - 1] == self.quote)
                & (buffer[last[two] - 2] == self.delimiter)
            )
            near_start = ~inside | (~two & (buffer[np.maximum(last, 0)] == self.quote))
            flagged |= quoted_empty | near_start
            if not flagged.any():
                return
            starts = np.empty(count, dtype=np.int64)
            starts[0] = self.previous_end + 1 - offset
            starts[1:] = ends[:-1] + 1
            which = np.flatnonzero(flagged)
            f_starts, f_ends = starts[which], ends[which]
            crossing = f_starts < 0
            if quotes is not None and len(quotes):
                held = np.searchsorted(quotes, f_ends) - np.searchsorted(
                    quotes, np.maximum(f_starts, 0)
                )
                crossing |= held > 0
            self.unsure.extend(int(self.records_before + i) for i in which[crossing])
            sure = ~crossing
            if not sure.any():
                return
            delimiters = np.flatnonzero(buffer[:length] == self.delimiter)
            cells = (
                np.searchsorted(delimiters, f_ends[sure])
                - np.searchsorted(delimiters, f_starts[sure])
            ) + 1
            if (cells != self.width).any():
                self.ragged = True
        finally:
            self.records_before += count
            self.previous_end = int(ends[-1]) + offset
