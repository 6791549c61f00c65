"""The app password table model: sorting and filtering 10,000 rows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from a7desktop.core.models import AppPasswordInfo
from a7desktop.ui.app_password_model import (
    CREATED,
    NAME,
    STATUS,
    AppPasswordFilter,
    AppPasswordModel,
    parse_time,
)


def _info(
    number: int, *, active: bool = True, expires: str = "2999-01-01T00:00:00Z"
) -> AppPasswordInfo:
    return AppPasswordInfo(
        id=f"id-{number}",
        name=f"tool {number:05d}",
        created_at=f"2025-01-{1 + number % 28:02d}T10:00:00Z",
        expires_at=expires,
        is_active=active,
        last_used_at=None,
    )


def test_cells_say_status_and_keyring(qtbot: QtBot) -> None:
    model = AppPasswordModel()
    model.set_rows(
        [_info(1), _info(2, active=False), _info(3, expires="2001-01-01T00:00:00Z")],
        kept={"id-1"},
    )
    by_name = {row.info.name: row for row in model.rows}

    assert by_name["tool 00001"].cells[STATUS] == "Active"
    assert by_name["tool 00001"].cells[4] == "Yes"
    assert by_name["tool 00002"].cells[STATUS] == "Revoked"
    assert by_name["tool 00003"].cells[STATUS] == "Expired"
    assert by_name["tool 00003"].cells[5] == "never"


def test_ten_thousand_rows_filter_and_sort(qtbot: QtBot) -> None:
    model = AppPasswordModel()
    proxy = AppPasswordFilter()
    proxy.setSourceModel(model)
    model.set_rows([_info(number) for number in range(10_000)], kept=set())

    proxy.set_text("TOOL 0999")
    assert proxy.rowCount() == 10  # tool 09990 .. tool 09999

    proxy.set_text("")
    proxy.sort(NAME, Qt.SortOrder.DescendingOrder)
    assert proxy.index(0, NAME).data() == "tool 09999"
    proxy.sort(NAME, Qt.SortOrder.AscendingOrder)
    assert proxy.index(0, NAME).data() == "tool 00000"
    proxy.sort(CREATED, Qt.SortOrder.AscendingOrder)
    assert proxy.index(0, CREATED).data().startswith("2025-01-01")


def test_sorting_keeps_a_selected_row_selected(qtbot: QtBot) -> None:
    model = AppPasswordModel()
    model.set_rows([_info(number) for number in range(5)], kept=set())
    from PySide6.QtCore import QPersistentModelIndex

    target = next(i for i, row in enumerate(model.rows) if row.info.id == "id-3")
    held = QPersistentModelIndex(model.index(target, 0))

    model.sort(NAME, Qt.SortOrder.AscendingOrder)

    assert model.rows[held.row()].info.id == "id-3"


def test_server_times_are_parsed_and_bad_ones_ignored() -> None:
    assert parse_time("2025-01-15T10:00:00Z") == 1736935200.0
    assert parse_time("yesterday") is None
    assert parse_time(None) is None
