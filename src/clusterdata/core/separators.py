"""Which other separator a CSV file was saved with, told by its header.

A spreadsheet in a Swedish (or German, French …) locale writes its CSV with `;`, because `,`
is the decimal comma there; Excel does so for every CSV type it offers, "CSV UTF-8" included.
Read with the declared `,`, such a header is one cell; read with the other separator it is
exactly the schema's field names (the header as every layer reads it: on the dialect's
`headerRows`, after comment rows). That is the only case told apart here: then the file is the
declared table with another separator, which `validate` reports (`wrong-separator`) and
`clusterdata format` rewrites. Both ask this module, so they cannot disagree on which files
that is.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from clusterdata.core.lines import Records
from clusterdata.core.resource import Resource

#: The separators a spreadsheet saves "CSV" with, and their names in messages.
OTHER_SEPARATORS = {";": "semicolon", "\t": "tab", "|": "vertical bar"}


def separator_name(separator: str) -> str:
    return OTHER_SEPARATORS.get(separator, "comma" if separator == "," else repr(separator))


def saved_separator(resource: Resource, text: str) -> str | None:
    """The separator other than the declared one that turns the file's header into the
    schema's field names, if there is one. `text`: the file's text, or its start up to the
    header; the header is read as every layer reads it (`read_header`)."""
    names = resource.field_names
    if len(names) < 2 or not resource.csv_dialect.has_header:
        return None  # one field: a header of one cell is right with any separator
    try:
        if len(read_header(resource, text)[0]) != 1:
            return None
        for separator in OTHER_SEPARATORS:
            if separator == resource.delimiter:
                continue
            as_saved = replace(resource, dialect={**resource.dialect, "delimiter": separator})
            labels = read_header(as_saved, text)[0]
            if [(label or "").strip() for label in labels] == names:
                return separator
    except csv.Error:
        return None
    return None


def read_header(resource: Resource, text: str) -> tuple[list[str | None], int]:
    """The header's labels in `text` and the line it starts on, read by `lines.Records` with
    the resource's dialect: on its `headerRows`, after title and comment rows."""
    reader = Records(io.StringIO(text, newline=""), resource)
    labels = next(iter(reader), [])
    return labels, reader.line or 1
