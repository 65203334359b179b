"""Which other separator a CSV file was saved with, told by its header.

A spreadsheet in a Swedish (or German, French …) locale writes its CSV with `;`, because `,`
is the decimal comma there; Excel does so for every CSV type it offers, "CSV UTF-8" included.
Read with the declared `,`, such a header is one cell; split on the other separator it is
exactly the schema's field names. That is the only case told apart here: then the file is the
declared table with another separator, which `validate` reports (`wrong-separator`) and
`clusterdata format` rewrites. Both ask this module, so they cannot disagree on which files
that is.
"""

from __future__ import annotations

import csv

from clusterdata.core.resource import Resource

#: The separators a spreadsheet saves "CSV" with, and their names in messages.
OTHER_SEPARATORS = {";": "semicolon", "\t": "tab", "|": "vertical bar"}


def separator_name(separator: str) -> str:
    return OTHER_SEPARATORS.get(separator, "comma" if separator == "," else repr(separator))


def saved_separator(resource: Resource, header_line: str) -> str | None:
    """The separator other than the declared one that turns `header_line` (the file's header
    row as text, without its line ending) into the schema's field names, if there is one."""
    names = resource.field_names
    if len(names) < 2:
        return None  # one field: a header of one cell is right with any separator
    declared, quote = resource.delimiter, resource.quote_char
    try:
        if len(next(csv.reader([header_line], delimiter=declared, quotechar=quote))) != 1:
            return None
        for separator in OTHER_SEPARATORS:
            if separator == declared:
                continue
            labels = next(csv.reader([header_line], delimiter=separator, quotechar=quote), [])
            if [label.strip() for label in labels] == names:
                return separator
    except (csv.Error, StopIteration):
        return None
    return None
