"""The app password table: a Qt item model that stays smooth at 10,000 rows.

Everything a cell shows, sorts by or is filtered on is computed once when
the rows arrive, so painting, sorting and filtering only index into lists.
Sorting happens in the source model (one Python ``sort`` with a key),
because letting the proxy compare rows would call back into Python for
every comparison; the proxy only filters.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from a7desktop.ui.timefmt import date_only

if TYPE_CHECKING:
    from collections.abc import Iterable

    from a7desktop.core.models import AppPasswordInfo

COLUMNS = ("Name", "Created", "Expires", "Status", "In keyring", "Last used")
NAME, CREATED, EXPIRES, STATUS, KEPT, LAST_USED = range(len(COLUMNS))

# Role holding the row's AppPasswordInfo, for the page's actions.
INFO_ROLE = Qt.ItemDataRole.UserRole + 1
KEPT_ROLE = Qt.ItemDataRole.UserRole + 2

AnyIndex = QModelIndex | QPersistentModelIndex


def parse_time(value: str | None) -> float | None:
    """Epoch seconds of an ISO 8601 time from the server; None if absent or bad."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.timestamp()


@dataclass(frozen=True)
class Row:
    """One app password as the table shows it, precomputed."""

    info: AppPasswordInfo
    kept: bool
    cells: tuple[str, ...]
    keys: tuple[Any, ...]
    search: str


def make_row(info: AppPasswordInfo, kept: bool, now: float) -> Row:
    """Compute everything the table needs for one app password."""
    created = parse_time(info.created_at)
    expires = parse_time(info.expires_at)
    last_used = parse_time(info.last_used_at)
    if not info.is_active:
        status = "Revoked"
    elif expires is not None and expires <= now:
        status = "Expired"
    else:
        status = "Active"
    kept_text = "Yes" if kept else "No"
    cells = (
        info.name,
        date_only(created),
        date_only(expires),
        status,
        kept_text,
        date_only(last_used) if last_used is not None else "never",
    )
    keys = (
        info.name.casefold(),
        created or 0.0,
        expires or float("inf"),
        status,
        kept,
        last_used or 0.0,
    )
    search = f"{info.name}\n{status}\n{kept_text}".casefold()
    return Row(info, kept, cells, keys, search)


class AppPasswordModel(QAbstractTableModel):
    """App passwords as rows; columns :data:`COLUMNS`."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[Row] = []
        self._sort: tuple[int, Qt.SortOrder] = (CREATED, Qt.SortOrder.DescendingOrder)

    def set_rows(self, infos: Iterable[AppPasswordInfo], kept: set[str]) -> None:
        """Replace every row; ``kept`` holds the ids of tokens in the keyring."""
        now = time.time()
        self.set_prepared_rows([make_row(info, info.id in kept, now) for info in infos])

    def set_prepared_rows(self, rows: list[Row]) -> None:
        """Replace every row with rows already made by :func:`make_row`."""
        self.beginResetModel()
        self.rows = rows
        self._sort_rows()
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return row.cells[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == NAME:
            return f"{row.info.name}\nid {row.info.id}"
        if role == INFO_ROLE:
            return row.info
        if role == KEPT_ROLE:
            return row.kept
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
        ):
            return COLUMNS[section]
        return None

    def sort(
        self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder
    ) -> None:
        """Sort by ``column`` on precomputed keys, keeping selections valid."""
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        old_rows = [self.rows[index.row()] for index in before]
        self._sort_rows()
        position = {id(row): number for number, row in enumerate(self.rows)}
        after = [
            self.index(position[id(row)], index.column())
            for row, index in zip(old_rows, before, strict=True)
        ]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def _sort_rows(self) -> None:
        column, order = self._sort
        self.rows.sort(
            key=lambda row: row.keys[column],
            reverse=order == Qt.SortOrder.DescendingOrder,
        )


class AppPasswordFilter(QSortFilterProxyModel):
    """Filters rows by a case-insensitive substring; sorting is the source's."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._needle = ""

    def set_text(self, text: str) -> None:
        """Show only rows whose name, status or keyring flag contains ``text``."""
        needle = text.strip().casefold()
        if needle != self._needle:
            self.beginFilterChange()
            self._needle = needle
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if not self._needle:
            return True
        model = self.sourceModel()
        assert isinstance(model, AppPasswordModel)
        return self._needle in model.rows[source_row].search

    def sort(
        self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder
    ) -> None:
        model = self.sourceModel()
        if isinstance(model, AppPasswordModel):
            model.sort(column, order)
