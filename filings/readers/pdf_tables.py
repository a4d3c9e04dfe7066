"""Ruled tables from a page's horizontal and vertical line segments: pdfplumber's table finder
(`find_tables()` with its default "lines" settings) ported to plain tuples, so that the PDF grid
stays the one pdfplumber gave. Coordinates run top-down, in points.

An edge is (position, start, end): a horizontal one at y = position from x = start to end, a
vertical one at x = position from y = start to end. A cell is (x0, top, x1, bottom).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from operator import itemgetter
from typing import NamedTuple

TOLERANCE = 3  # pdfplumber's default for all: snapping, joining, crossing edges; gaps in words and lines
MIN_LENGTH = 3  # an edge shorter than this after joining is no ruling


class Table(NamedTuple):
    bbox: tuple[float, float, float, float]
    rows: list[tuple[tuple[float, float, float, float], list]]  # (row bbox, cells: a cell or None for a span)


def find_tables(horizontal: list[tuple], vertical: list[tuple]) -> list[Table]:
    """The tables of a page, top to bottom; each row's cells in the table's columns."""
    horizontal, vertical = _merge(horizontal), _merge(vertical)
    cells = _cells(_intersections(horizontal, vertical))
    return [Table(_bbox(group), _rows(group)) for group in _groups(cells)]


def clusters(items: list, key, preserve_order: bool = False) -> list[list]:
    """pdfplumber's cluster_objects: groups of items whose keys chain within TOLERANCE, in key
    order (or, with `preserve_order`, runs of the items as given)."""
    keys = [key(item) for item in items]
    if not keys or max(keys) - min(keys) <= TOLERANCE:  # the common case, short
        return [list(items)] if keys else []
    cluster, last, number = {}, None, -1
    for value in sorted(set(keys)):
        if last is None or value > last + TOLERANCE:
            number += 1
        cluster[value], last = number, value
    numbered = zip((cluster[k] for k in keys), items)
    if not preserve_order:
        numbered = sorted(numbered, key=itemgetter(0))
    return [[item for _, item in run] for _, run in itertools.groupby(numbered, key=itemgetter(0))]


def _merge(edges: list[tuple]) -> list[tuple]:
    """Edges snapped to their neighbours' mean position, overlapping or near ones joined, short ones dropped."""
    snapped = []
    for group in clusters([e for e in edges if e[2] - e[1] >= 1], key=lambda e: e[0]):
        mean = sum(e[0] for e in group) / len(group)
        snapped += [(e[0] + (mean - e[0]), e[1], e[2]) for e in group]  # pdfplumber's arithmetic
    joined = []
    for position, group in itertools.groupby(sorted(snapped, key=lambda e: e[0]), key=lambda e: e[0]):
        for _, start, end in sorted(group, key=lambda e: e[1]):
            if joined and joined[-1][0] == position and start <= joined[-1][2] + TOLERANCE:
                joined[-1] = (position, joined[-1][1], max(end, joined[-1][2]))
            else:
                joined.append((position, start, end))
    return [e for e in joined if e[2] - e[1] >= MIN_LENGTH]


def _intersections(horizontal, vertical) -> dict[tuple[float, float], tuple[set, set]]:
    """Crossing points (x, y) → (the vertical edges, the horizontal edges) through them."""
    points = {}
    for v, (x, top, bottom) in enumerate(vertical):
        for h, (y, x0, x1) in enumerate(horizontal):
            if top <= y + TOLERANCE and bottom >= y - TOLERANCE and x0 - TOLERANCE <= x <= x1 + TOLERANCE:
                through = points.setdefault((x, y), (set(), set()))
                through[0].add(v)
                through[1].add(h)
    return points


def _cells(points) -> list[tuple]:
    """For each crossing, the first cell it is the top left corner of (see _cell)."""
    by_x, by_y, place = defaultdict(list), defaultdict(list), {}
    for point in sorted(points):
        place[point] = len(by_x[point[0]]), len(by_y[point[1]])
        by_x[point[0]].append(point)
        by_y[point[1]].append(point)
    cells = []
    for corner in sorted(points):
        (x, y), (down, across) = corner, place[corner]
        cell = _cell(points, corner, by_x[x][down + 1:], by_y[y][across + 1:])
        if cell:
            cells.append(cell)
    return cells


def _cell(points, corner, below: list, right: list) -> tuple | None:
    """The first crossing below joined to the corner by a vertical edge and the first to the right
    joined by a horizontal one whose opposite corner is a crossing joined to both."""
    vertical, horizontal = points[corner]
    for down in below:
        if vertical.isdisjoint(points[down][0]):
            continue
        for across in right:
            if horizontal.isdisjoint(points[across][1]):
                continue
            opposite = points.get((across[0], down[1]))
            if opposite and not opposite[0].isdisjoint(points[across][0]) \
                    and not opposite[1].isdisjoint(points[down][1]):
                return corner[0], corner[1], across[0], down[1]
    return None


def _groups(cells) -> list[list[tuple]]:
    """Cells sharing corners, one group a table (a lone cell is none), top to bottom."""
    at = defaultdict(list)  # corner → the numbers of the cells there
    for number, (x0, top, x1, bottom) in enumerate(cells):
        for corner in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
            at[corner].append(number)
    neighbours = [set() for _ in cells]
    for numbers in at.values():
        for number in numbers:
            neighbours[number].update(numbers)
    groups, grouped = [], [False] * len(cells)
    for first in range(len(cells)):
        if grouped[first]:
            continue
        group, grouped[first] = [first], True
        for number in group:  # the group grows as its cells' neighbours join it
            for neighbour in neighbours[number]:
                if not grouped[neighbour]:
                    grouped[neighbour] = True
                    group.append(neighbour)
        groups.append([cells[n] for n in group])
    return sorted((g for g in groups if len(g) > 1), key=lambda g: min((c[1], c[0]) for c in g))


def _rows(cells) -> list[tuple[tuple, list]]:
    columns = sorted({c[0] for c in cells})
    rows = []
    for _, row in itertools.groupby(sorted(cells, key=lambda c: (c[1], c[0])), key=lambda c: c[1]):
        row = list(row)
        by_x = {c[0]: c for c in row}
        rows.append((_bbox(row), [by_x.get(x) for x in columns]))
    return rows


def _bbox(cells) -> tuple[float, float, float, float]:
    return min(c[0] for c in cells), min(c[1] for c in cells), max(c[2] for c in cells), max(c[3] for c in cells)
