"""Layer 1 teaches frictionless-py the v2 field rules through its process-wide plugin registry
(`v2fields.active`). Two validations in two threads must not change each other's rules: one
leaving `active()` must not switch off the rules the other is still reading with."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fixtures.packages import write_package
from fixtures.v2packages import CATEGORIES, PACKAGE_V2
from frictionless import system
from frictionless.fields import StringField

from clusterdata.validation.pipeline import validate
from clusterdata.validation.structure import duckdb_engine, v2fields


def test_leaving_active_in_one_thread_keeps_the_v2_rules_of_another() -> None:
    inside, other_done = threading.Event(), threading.Event()
    selected: list[type] = []

    def long_validation() -> None:
        with v2fields.active():
            inside.set()
            other_done.wait(10)
            selected.append(system.select_field_class("string"))

    thread = threading.Thread(target=long_validation)
    thread.start()
    assert inside.wait(10)
    with v2fields.active():  # a second, shorter validation enters and leaves
        pass
    other_done.set()
    thread.join(10)
    assert selected == [v2fields.V2StringField]


def test_a_thread_outside_active_reads_with_frictionless_py_as_it_ships() -> None:
    inside, checked = threading.Event(), threading.Event()

    def validation() -> None:
        with v2fields.active():
            inside.set()
            checked.wait(10)

    thread = threading.Thread(target=validation)
    thread.start()
    assert inside.wait(10)
    try:
        assert system.select_field_class("string") is StringField
        with v2fields.active():
            assert system.select_field_class("string") is v2fields.V2StringField
        assert system.select_field_class("string") is StringField
    finally:
        checked.set()
        thread.join(10)


def test_a_v1_and_a_v2_validation_in_two_threads_report_what_each_reports_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the frictionless engine, whose field readers the plugin chooses: a v2 package with
    values outside its categories, and a v1 package with a type error, validated at the same
    time, round after round, give exactly their findings when validated one at a time."""
    monkeypatch.setenv(duckdb_engine.ENV, "0")
    v2 = write_package(
        tmp_path / "v2",
        {"t": (CATEGORIES, "fruit,level\npear,3\napple,4\n")},
        **{"$schema": PACKAGE_V2},
    )
    v1 = write_package(
        tmp_path / "v1",
        {"t": ({"fields": [{"name": "n", "type": "integer"}]}, "n\n1\nx\n" + "2\n" * 2000)},
    )

    def errors(descriptor: Path) -> set[tuple[int | None, str | None, str]]:
        report = validate(descriptor, use_default_checks=False)
        return {(f.line, f.column, f.check) for f in report.findings if f.is_error}

    alone = {v1: errors(v1), v2: errors(v2)}
    assert alone[v2] == {
        (2, "fruit", "constraint-categories"),
        (3, "level", "constraint-categories"),
    }
    assert alone[v1] == {(3, "n", "type-error")}
    for _ in range(8):
        start = threading.Barrier(2)
        together: dict[Path, set[tuple[int | None, str | None, str]]] = {}

        def run(
            descriptor: Path,
            start: threading.Barrier = start,
            together: dict[Path, set[tuple[int | None, str | None, str]]] = together,
        ) -> None:
            start.wait(10)
            together[descriptor] = errors(descriptor)

        threads = [threading.Thread(target=run, args=(d,)) for d in (v1, v2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert together == alone
