"""Charts for the briefing: one colour per violation and per actor class, from config, and deterministic files.

Each chart is saved to the figures folder as PNG and SVG with no date or random id in the file, and is
shown in the notebook as an HTML figure that carries its alt text and caption. build.py passes a staging folder
as figures_dir and switches it in whole when the briefing is rendered (malibrief.io.staged); run by hand, the
notebook writes into build/lab/figures.
"""
from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import shapely
from IPython.display import HTML
from matplotlib.patches import Polygon as PolygonPatch
from matplotlib.ticker import FuncFormatter, MaxNLocator
from shapely.geometry import shape
from shapely.ops import polylabel, unary_union

from malibrief import config
from malibrief.briefing.i18n import N_, Language
from malibrief.io import atomic_write
from malibrief.text import escape

# seaborn's "whitegrid" theme (its "notebook" context and "deep" palette), as it differs from matplotlib's defaults:
# the charts were designed with it. Written out, not imported: seaborn's import (scipy.stats) costs every
# briefing half a second, for these few values.
WHITEGRID = {
    "axes.axisbelow": True,
    "axes.edgecolor": ".8",
    "axes.grid": True,
    "axes.labelcolor": ".15",
    "axes.linewidth": 1.25,
    "axes.prop_cycle": matplotlib.cycler(color=["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860",
                                                "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd"]),
    "grid.color": ".8",
    "grid.linewidth": 1,
    "legend.title_fontsize": 12,
    "lines.solid_capstyle": "round",
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "text.color": ".15",
    "xtick.bottom": False,
    "xtick.color": ".15",
    "xtick.major.size": 6,
    "xtick.major.width": 1.25,
    "xtick.minor.size": 4,
    "xtick.minor.width": 1,
    "ytick.color": ".15",
    "ytick.left": False,
    "ytick.major.size": 6,
    "ytick.major.width": 1.25,
    "ytick.minor.size": 4,
    "ytick.minor.width": 1,
}
STYLE = {
    "svg.hashsalt": "mali-briefing",  # fixed ids inside SVG files, so they are byte-identical run to run
    # Text stays text: selectable and searchable in the PDF, editable in a drawing program, and half the bytes.
    # Viewers without DejaVu Sans (the font matplotlib measures with) fall back to their own sans-serif.
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    # Charts are drawn 7 inches wide and printed at the text width (about 6.9 inches): 8.5 pt stays above 8.
    "font.size": 8.5,
    "axes.titlesize": 9,
    "axes.labelsize": 8.5,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "text.color": config.CHART_INK["text"],
    "axes.labelcolor": config.CHART_INK["text"],
    "axes.edgecolor": config.CHART_INK["muted"],
    "grid.color": config.CHART_INK["grid"],
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
}
WIDTH = 7  # inches: the text width on A4, so that the type prints at its size
RASTER_POINTS = 2_000  # beyond this many points a map layer is drawn as an image inside the SVG, or files balloon
LABELS = {"killing": N_("Killed"), "detention": N_("Detained"), "disappearance": N_("Disappeared")}


def setup() -> None:
    plt.rcParams.update({**WHITEGRID, **STYLE})


def show(fig, name: str, title: str, alt: str, caption: str, figures_dir: Path) -> HTML:
    """Save the chart as PNG and SVG (each file whole), close it, and return it as an accessible HTML figure whose
    title states its finding."""
    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    # The tight box, found once for both files; "tight" would lay the chart out again for each.
    box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(plt.rcParams["savefig.pad_inches"])
    atomic_write(figures_dir / f"{name}.png",
                 lambda f: fig.savefig(f, format="png", dpi=200, bbox_inches=box, metadata={"Software": None}))
    svg = io.BytesIO()
    fig.savefig(svg, format="svg", bbox_inches=box, metadata={"Date": None, "Creator": None})
    atomic_write(figures_dir / f"{name}.svg", svg.getvalue())
    plt.close(fig)
    data = base64.b64encode(svg.getvalue()).decode("ascii")
    return HTML(
        f'<figure class="chart" id="fig-{escape(name)}">'
        f'<figcaption><span class="chart-title">{escape(title)}</span> '
        f'<span class="chart-note">{escape(caption)}</span></figcaption>'
        f'<img src="data:image/svg+xml;base64,{data}" alt="{escape(alt)}"></figure>')


def trends(per_year: pd.DataFrame, which, counted, t: Language):
    """People per year, one panel per violation: the best estimate as a line, the accounts' low to high as a band
    around it; events where the input counts no people (ACLED's arrests and abductions). One legend, below."""
    fig, axes = plt.subplots(1, len(which), figsize=(WIDTH, 2.5), squeeze=False)
    for ax, violation in zip(axes[0], which):
        rows = per_year[per_year["violation"] == violation]
        colour = config.VIOLATION_COLOURS[violation]
        years = rows["year"].to_numpy()
        if violation not in counted:
            ax.plot(years, rows["events"], color=colour, marker="o", label=t("Events (people not counted)"))
        else:
            ax.fill_between(years, rows["low"], rows["high"], color=colour, alpha=config.CHART_INK["band_alpha"],
                            linewidth=0, label=t("Range of the accounts, low to high"))
            ax.plot(years, rows["best"], color=colour, marker="o", markersize=3.5, label=t("Best estimate"))
        ax.set_title(t(LABELS[violation]), loc="left", color=colour, fontweight="bold")
        # Whole years, as the text writes them ("’21" is no French): a long period labels every few years instead.
        shown = years[::-(-len(years) // 5)]
        ax.set_xticks(shown, [str(y) for y in shown])
        # At least 0 to 1: a panel of zeros (a region with no detention) would otherwise get ticks of 0.006.
        ax.set_ylim(0, max(ax.get_ylim()[1], 1))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        numbers_in(t, ax.yaxis)
        ax.grid(axis="x", visible=False)
    axes[0][0].set_ylabel(t("People") if which[0] in counted else t("Events"))
    handles = [plt.Line2D([], [], color="#555555", marker="o", markersize=3.5, label=t("Best estimate")),
               plt.Rectangle((0, 0), 1, 1, color="#555555", alpha=config.CHART_INK["band_alpha"] * 1.5,
                             label=t("Range of the accounts, low to high"))]
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    fig.legend(handles=handles, loc="lower center", ncol=2, frameon=False, bbox_to_anchor=(0.5, 0))
    return fig


def actor_classes(violations: pd.DataFrame, years, t: Language):
    """Events per year by the class of perpetrator the sources name, stacked; the legend beside the bars."""
    table = (violations.drop_duplicates("event_id").groupby(["year", "actor_class"]).size()
             .unstack(fill_value=0).reindex(list(years), fill_value=0))
    table = table[[c for c in config.ACTOR_CLASSES if c in table.columns]]
    fig, ax = plt.subplots(figsize=(WIDTH, 2.6))
    table.plot.bar(ax=ax, stacked=True, color=[config.ACTOR_CLASS_COLOURS[c] for c in table.columns], rot=0,
                   width=0.7, edgecolor="white", linewidth=0.4)
    ax.set_xlabel("")
    ax.set_ylabel(t("Events"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    numbers_in(t, ax.yaxis)
    ax.grid(axis="x", visible=False)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], [t(CLASS_LABELS.get(c, c)) if c in config.ACTOR_CLASSES else c for c in labels[::-1]], frameon=False,
              bbox_to_anchor=(1.01, 1), loc="upper left", borderaxespad=0)
    fig.tight_layout()
    return fig


CLASS_LABELS = {"unknown": N_("Not named"), "other": N_("Other"), "state forces": N_("State forces"),
                "state forces with foreign allies": N_("State forces with foreign allies"),
                "state forces with militias": N_("State forces with militias"),
                "civilian state authorities": N_("Civilian authorities"), "foreign forces": N_("Foreign forces"),
                "militias": N_("Militias")}


def regions(by_region: pd.DataFrame, which, t: Language):
    """Events by region, stacked by violation; the legend below the bars, never on them."""
    table = by_region.pivot(index="admin1", columns="violation", values="events").fillna(0)
    table = table.reindex(columns=[v for v in which if v in table.columns])
    table = table.loc[table.sum(axis=1).sort_values().index]
    fig, ax = plt.subplots(figsize=(WIDTH, 0.26 * len(table) + 0.9))
    table.plot.barh(ax=ax, stacked=True, color=[config.VIOLATION_COLOURS[v] for v in table.columns], width=0.7)
    ax.set_xlabel(t("Events"))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    numbers_in(t, ax.xaxis)
    ax.set_ylabel("")
    ax.grid(axis="y", visible=False)
    ax.legend([t(VIOLATION_LABELS[v]) for v in table.columns], frameon=False, bbox_to_anchor=(1.01, 1),
              loc="upper left", borderaxespad=0)
    fig.tight_layout()
    return fig


VIOLATION_LABELS = {"killing": N_("Killings"), "detention": N_("Detentions"), "disappearance": N_("Disappearances")}


def _label(violation: str, counted, t: Language) -> str:
    """A legend entry that says when the input counts events, not people (ACLED's arrests and abductions)."""
    if violation in counted:
        return t(LABELS[violation])
    return t("{violation} (events, people not counted)", violation=t(LABELS[violation]))


def numbers_in(t: Language, *axes) -> None:
    """Tick labels in the briefing's language: 1 000 and 2,5 in French (Babel), 1,000 and 2.5 in English."""
    for axis in axes:
        axis.set_major_formatter(FuncFormatter(lambda value, _: t.number(round(value, 6))))


# Mali's neighbours, named on the map in the briefing's language.
COUNTRIES = (N_("Algeria"), N_("Benin"), N_("Burkina Faso"), N_("Ghana"), N_("Guinea"), N_("Guinea-Bissau"),
             N_("Ivory Coast"), N_("Liberia"), N_("Mauritania"), N_("Niger"), N_("Nigeria"), N_("Senegal"),
             N_("Sierra Leone"), N_("The Gambia"), N_("Togo"), N_("Western Sahara"))


# The map: Mali's regions over its neighbours, the Niger and the inner delta, capitals, and the events as
# circles whose area is the number of people and whose fill says how precisely the place is known.
LAND, NEIGHBOUR, CONTEXT_REGION = "#fbfbfb", "#d4d4d4", "#ececec"
WATER, RIVER = "#a6cee3", "#3b7fb6"
MIN_TEXT = 7.5  # points: nothing smaller on the map, which prints at the size it is drawn (pdf.css)
# inches: the map prints at this size (pdf.css), small enough to share a page with its section's text
MAP_WIDTH, LEGEND_WIDTH = 4.0, 1.9
# Under the map; its lines are wrapped to the figure's width, which sets the footer's height. The tables count
# Ménaka and Taoudénit as regions (config.ADMIN1); Natural Earth's polygons are older.
MAP_NOTE = N_("Ménaka and Taoudénit, counted apart in the tables, are drawn within Gao and Tombouctou, on older "
              "boundaries. Boundaries, rivers, lakes: Natural Earth. Places: © OpenStreetMap contributors (ODbL); "
              "GeoNames (CC BY 4.0), partly via Who's On First.")
MAX_AREA = 1400  # points squared: the circle of the largest event in the briefing
GAP = 0.12  # inches between two keys of the legend
SIZE_STEPS = (1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000)
PRECISION_LABELS = (N_("the locality itself (precision 1)"), N_("a seat or centroid standing in (precision 2-3)"))


def _features(path: Path) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))["features"]


def map_extent(admin1: dict, regions=(), points: pd.DataFrame | None = None) -> tuple[float, float, float, float]:
    """(west, south, east, north) the map must show: all of Mali, or only the polygons of the regions asked
    for (Ménaka's and Taoudénit's are inside Gao's and Tombouctou's), with every event point, padded."""
    names = [config.ADMIN1_POLYGON.get(r, r) for r in regions] or list(admin1)
    west, south, east, north = unary_union([admin1[n] for n in names]).bounds
    if points is not None and len(points):
        west, east = min(west, points["longitude"].min()), max(east, points["longitude"].max())
        south, north = min(south, points["latitude"].min()), max(north, points["latitude"].max())
    pad = max(0.3, 0.06 * max(east - west, north - south))
    return west - pad, south - pad, east + pad, north + pad


def _draw_polygons(ax, geometry, **style) -> None:
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.geom_type == "Polygon":
            ax.add_patch(PolygonPatch(np.asarray(polygon.exterior.coords), closed=True, **style))


def _draw_lines(ax, geometry, **style) -> None:
    for line in getattr(geometry, "geoms", [geometry]):
        if line.geom_type == "LineString":
            x, y = line.xy
            ax.plot(x, y, **style)


def _label_point(geometry):
    """The point deepest inside the largest part of a shape, where its name reads best."""
    part = max(getattr(geometry, "geoms", [geometry]), key=lambda g: g.area)
    return polylabel(part, tolerance=0.02)


def _nice(value: float, steps=SIZE_STEPS) -> int:
    return max([s for s in steps if s <= value] or [steps[0]])


def _scale_bar(ax, west, south, east, north) -> tuple:
    """A bar of a round number of kilometres, about a fifth of the map's width, in the lower left; returns the
    box it takes on the figure, in pixels, to keep labels off it."""
    lat = south + 0.04 * (north - south)
    km_per_degree = 111.32 * np.cos(np.radians(lat))
    length = _nice(0.2 * (east - west) * km_per_degree, (10, 20, 25, 50, 100, 200, 250, 300, 500))
    x0 = west + 0.04 * (east - west)
    x1 = x0 + length / km_per_degree
    ax.plot([x0, x1], [lat, lat], color="#333333", linewidth=1.6, solid_capstyle="butt", zorder=6)
    for x in (x0, x1):
        ax.plot([x, x], [lat, lat + 0.008 * (north - south)], color="#333333", linewidth=1, zorder=6)
    text = ax.text((x0 + x1) / 2, lat + 0.015 * (north - south), f"{length:,} km", ha="center", va="bottom",
                   fontsize=MIN_TEXT + 0.5, color="#333333", zorder=6)
    box = text.get_window_extent(ax.figure.canvas.get_renderer())
    (bx0, by0), (bx1, _) = ax.transData.transform([(x0, lat), (x1, lat)])
    return min(bx0, box.x0) - 4, by0 - 4, max(bx1, box.x1) + 4, box.y1 + 4


class _Labels:
    """Places labels one by one at the first offset where they overlap no label or marker placed before, with a
    margin: a label that merely touches a marker or another label reads as one word with it ("Ba■mako")."""

    OFFSETS = ((5, 3, "left", "bottom"), (5, -3, "left", "top"), (-5, 3, "right", "bottom"),
               (-5, -3, "right", "top"), (0, 6, "center", "bottom"), (0, -6, "center", "top"))
    MARGIN = 2.0  # points of clear space around every label
    MIN_RADIUS = 2.5  # points: the space kept around a marker, however small its circle

    def __init__(self, ax):
        self.ax, self.renderer = ax, ax.figure.canvas.get_renderer()
        self.margin = self.MARGIN * ax.figure.dpi / 72
        self.taken = []

    def block(self, x, y, radius_points: float) -> None:
        """Keep labels off a marker at (x, y)."""
        cx, cy = self.ax.transData.transform((x, y))
        r = max(radius_points, self.MIN_RADIUS) * self.ax.figure.dpi / 72
        self.taken.append((cx - r, cy - r, cx + r, cy + r))

    def _overlap(self, box) -> float:
        total = 0.0
        m = self.margin
        for x0, y0, x1, y1 in self.taken:
            w = min(box.x1 + m, x1) - max(box.x0 - m, x0)
            h = min(box.y1 + m, y1) - max(box.y0 - m, y0)
            total += max(w, 0) * max(h, 0)
        return total

    def inner_offsets(self, anchor, shape, step: float = 8, most: int = 200) -> tuple:
        """Offsets (points, centred) from `anchor` to points of a grid inside `shape`, nearest first: where a
        region's or country's name can go when the middle of it is taken."""
        scale = 72 / self.ax.figure.dpi
        ax0, ay0 = self.ax.transData.transform((anchor.x, anchor.y))
        (x0, y0), (x1, y1) = self.ax.transData.transform([shape.bounds[:2], shape.bounds[2:]])
        inverse = self.ax.transData.inverted()
        spots = []
        for px in np.arange(min(x0, x1), max(x0, x1), step / scale):
            for py in np.arange(min(y0, y1), max(y0, y1), step / scale):
                if shape.contains(shapely.Point(inverse.transform((px, py)))):
                    spots.append(((px - ax0) * scale, (py - ay0) * scale))
        spots.sort(key=lambda d: (d[0] ** 2 + d[1] ** 2, d))
        return ((0, 0, "center", "center"),) + tuple((dx, dy, "center", "center") for dx, dy in spots[:most])

    def _outside(self, box, within) -> bool:
        """Whether the box leaves the shape (in data coordinates) its label names, e.g. crosses a border."""
        (x0, y0), (x1, y1) = self.ax.transData.inverted().transform([(box.x0, box.y0), (box.x1, box.y1)])
        return not within.contains(shapely.box(x0, y0, x1, y1))

    def place(self, x, y, text, offsets=OFFSETS, within=None, halo=LAND, **style):
        """Label (x, y) at the first offset that keeps it inside the axes, clear of what is placed, and inside
        `within` if given; failing that, at the offset that overlaps least (a label over a border line still
        reads, the more so on a faint patch of the ground's colour, `halo`; one over a marker or another label
        does not). The patch is a box, not a stroke: a stroked text is saved to SVG as outlines, not as text."""
        style.setdefault("bbox", {"boxstyle": "square,pad=0.05", "facecolor": halo, "edgecolor": "none",
                                  "alpha": 0.8})
        best, boxes = None, {}
        inside = self.ax.get_window_extent(self.renderer)
        pixels = self.ax.figure.dpi / 72
        for dx, dy, ha, va in offsets:
            if (ha, va) not in boxes:  # the label's box at its point, measured once: an offset only moves it
                probe = self.ax.annotate(text, (x, y), xytext=(0, 0), textcoords="offset points", ha=ha, va=va,
                                         **style)
                boxes[ha, va] = probe.get_window_extent(self.renderer)
                probe.remove()
            box = boxes[ha, va].translated(dx * pixels, dy * pixels)
            score = (not (inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1)),
                     self._overlap(box), within is not None and self._outside(box, within))
            if best is None or score < best[0]:
                best = (score, (dx, dy, ha, va), box)
            if not any(score):
                break
        (dx, dy, ha, va), box = best[1:]
        self.taken.append((box.x0, box.y0, box.x1, box.y1))
        return self.ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va, **style)


def mali_map(events: pd.DataFrame, outline_path: Path, admin1_path: Path, estimate: str, counted=config.VIOLATIONS,
             regions=(), t: Language = Language()):
    """Events placed at their coordinates, circle area = people, filled where the place is the locality and
    hollow where a seat or centroid stands in; over Mali's regions, its neighbours, the Niger and the inner
    delta. A regional briefing (`regions`) zooms to its regions and keeps the rest of Mali as context.

    The other layers are read from the folder of `admin1_path` (the cleaning copies them there with it)."""
    folder = Path(admin1_path).parent
    admin1 = {f["properties"]["name"]: shape(f["geometry"]) for f in _features(admin1_path)}
    outline = unary_union([shape(f["geometry"]) for f in _features(outline_path)])
    placed = events.dropna(subset=["latitude", "longitude"])
    west, south, east, north = map_extent(admin1, regions, placed)
    aspect = 1 / np.cos(np.radians((south + north) / 2))  # a degree of longitude shrinks with latitude
    map_height = float(np.clip(MAP_WIDTH * (north - south) * aspect / (east - west), 4.4 if regions else 3.8, 5.0))
    # widen the shorter side so the frame has the axes' shape: the extent asked for stays inside it
    if (north - south) * aspect / (east - west) < map_height / MAP_WIDTH:
        grow = (map_height / MAP_WIDTH * (east - west) / aspect - (north - south)) / 2
        south, north = south - grow, north + grow
    else:
        grow = ((north - south) * aspect * MAP_WIDTH / map_height - (east - west)) / 2
        west, east = west - grow, east + grow
    note = _wrapped(t(MAP_NOTE), (MAP_WIDTH + LEGEND_WIDTH - 0.1) * 72, MIN_TEXT)
    footer = (len(note) * MIN_TEXT * 1.3 + 8) / 72  # inches
    width, height = MAP_WIDTH + LEGEND_WIDTH, map_height + footer
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes([0, footer / height, MAP_WIDTH / width, map_height / height])
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(aspect, adjustable="box")
    ax.set_axis_off()
    view = shapely.box(west, south, east, north)

    neighbours = [(f["properties"], shape(f["geometry"])) for f in _features(folder / config.NEIGHBOURS_FILE)]
    for _, geom in neighbours:
        _draw_polygons(ax, geom, facecolor=NEIGHBOUR, edgecolor="white", linewidth=0.8, zorder=1)
    selected = {config.ADMIN1_POLYGON.get(r, r) for r in regions}
    for name, geom in admin1.items():
        fill = LAND if not selected or name in selected else CONTEXT_REGION
        _draw_polygons(ax, geom, facecolor=fill, edgecolor="#9a9a9a", linewidth=0.6, zorder=2)
    for name in selected:
        _draw_polygons(ax, admin1[name], fill=False, edgecolor="#444444", linewidth=1.3, zorder=3)
    _draw_polygons(ax, outline, fill=False, edgecolor="#333333", linewidth=1.1, zorder=3)
    for f in _features(folder / config.LAKES_FILE):
        _draw_polygons(ax, shape(f["geometry"]), facecolor=WATER, edgecolor=RIVER, linewidth=0.4, zorder=3)
    rivers = [(f["properties"]["name"], shape(f["geometry"])) for f in _features(folder / config.RIVERS_FILE)]
    for _, geom in rivers:
        _draw_lines(ax, geom, color=RIVER, linewidth=1.0, zorder=3, solid_capstyle="round")

    size_of = _event_sizes(placed, estimate)
    scale = MAX_AREA / max(1, max((s.max() for s in size_of.values() if len(s)), default=1))
    labels = _Labels(ax)
    for violation in config.VIOLATIONS:
        if violation not in size_of:
            continue
        rows, sizes = placed.loc[size_of[violation].index], size_of[violation]
        order = np.argsort(-sizes.to_numpy(dtype=float), kind="stable")  # large circles under small ones
        rows, area = rows.iloc[order], sizes.iloc[order].to_numpy(dtype=float) * scale
        exact = pd.to_numeric(rows["geo_precision"]).eq(1).to_numpy(dtype=bool, na_value=False)
        colour = config.VIOLATION_COLOURS[violation]
        ax.scatter(rows["longitude"][exact], rows["latitude"][exact], s=area[exact], color=colour, alpha=0.7,
                   edgecolor="white", linewidth=0.5, zorder=5, rasterized=len(rows) > RASTER_POINTS)
        ax.scatter(rows["longitude"][~exact], rows["latitude"][~exact], s=area[~exact], facecolor="none",
                   edgecolor=colour, linewidth=1.2, zorder=5, rasterized=len(rows) > RASTER_POINTS)
        for x, y, a in zip(rows["longitude"], rows["latitude"], area):
            labels.block(x, y, np.sqrt(a) / 2)

    capitals = [f for f in _features(folder / config.CAPITALS_FILE)
                if view.contains(shape(f["geometry"]))]
    for f in capitals:
        x, y = f["geometry"]["coordinates"]
        national = f["properties"]["capital"] == "national"
        ax.scatter([x], [y], marker="s", s=24 if national else 13,
                   facecolor="#222222" if national else "white", edgecolor="#222222", linewidth=0.9, zorder=7)
        labels.block(x, y, 3)
    labels.taken.append(_scale_bar(ax, west, south, east, north))
    for f in sorted(capitals, key=lambda f: f["properties"]["capital"] != "national"):
        x, y = f["geometry"]["coordinates"]
        labels.place(x, y, f["properties"]["name"], fontsize=MIN_TEXT + 1, color="#111111", zorder=8,
                     fontweight="bold" if f["properties"]["capital"] == "national" else "normal")
    for name, geom in admin1.items():
        shown = geom.intersection(view)
        if shown.area > 0.02 * view.area or name in selected:
            point = _label_point(shown)
            labels.place(point.x, point.y, name.upper(), offsets=labels.inner_offsets(point, shown),
                         within=shown, fontsize=MIN_TEXT + 0.5, color="#6b6b6b", zorder=4)
    for props, geom in neighbours:
        shown = geom.intersection(view).difference(outline.buffer(0.2))
        if props["borders_mali"] and shown.area > 0.03 * view.area:
            point = _label_point(shown)
            name = t(props["name"]) if props["name"] in COUNTRIES else props["name"]
            labels.place(point.x, point.y, name.upper(), offsets=labels.inner_offsets(point, shown),
                         within=shown, halo=NEIGHBOUR, fontsize=MIN_TEXT + 1, color="#8c8c8c", fontstyle="italic",
                         zorder=4)
    niger = unary_union([g for name, g in rivers if name == "Niger"]).intersection(outline).intersection(view)
    if not niger.is_empty:
        line = max(getattr(niger, "geoms", [niger]), key=lambda g: g.length)
        point = line.interpolate(0.5, normalized=True)
        labels.place(point.x, point.y, "Niger", fontsize=MIN_TEXT + 0.5, color=RIVER, fontstyle="italic", zorder=4)
    delta = [shape(f["geometry"]) for f in _features(folder / config.LAKES_FILE)]
    if delta:
        point = unary_union(delta).centroid
        if view.contains(point):
            labels.place(point.x, point.y, t("inner Niger delta"), offsets=_Labels.OFFSETS + tuple(
                             (dx, dy, ha, va) for dx, ha in ((-12, "right"), (12, "left")) for dy, va in
                             ((14, "bottom"), (-14, "top"), (28, "bottom"))), fontsize=MIN_TEXT + 0.5, color=RIVER,
                         fontstyle="italic", zorder=4)
    drawn = {"national": any(f["properties"]["capital"] == "national" for f in capitals),
             "regional": any(f["properties"]["capital"] != "national" for f in capitals),
             "water": any(geom.intersects(view) for geom in [g for _, g in rivers] + delta)}
    top = _map_legend(fig, size_of, scale, estimate, counted, t, drawn)
    if selected:
        _locator(fig, top, admin1, outline, selected, (west, south, east, north), aspect, footer)
    fig.text(0.01, 0.1 * footer / height, "\n".join(note), fontsize=MIN_TEXT, color="#555555", ha="left",
             va="bottom", linespacing=1.3)
    return fig


def _wrapped(text: str, width: float, size: float) -> list[str]:
    """`text`'s lines, each of its paragraphs broken between words so that no line is wider than `width` points
    in the charts' font at `size`: a translation longer than the English still fits the figure."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    font, measure = FontProperties(size=size), TextToPath().get_text_width_height_descent
    lines = []
    for paragraph in text.split("\n"):
        line = ""
        for word in filter(None, paragraph.split(" ")):  # not at no-break spaces (U+202F before ";" in French)
            longer = f"{line} {word}" if line else word
            if line and measure(longer, font, ismath=False)[0] > width:
                lines.append(line)
                longer = word
            line = longer
        lines.append(line)
    return lines


def _event_sizes(placed: pd.DataFrame, estimate: str) -> dict[str, pd.Series]:
    """People per event and violation, for the circles: the figure the briefing quotes (the best estimate, also for
    a low-to-high range), or the low or the high one (the low where the source gives no upper figure)."""
    sizes = {}
    for violation, column in config.COUNT_COLUMNS.items():
        rows = placed[placed[f"{column}_low"] > 0]
        if rows.empty:
            continue
        chosen = {"high": rows[f"{column}_high"].fillna(rows[f"{column}_low"]), "low": rows[f"{column}_low"]}
        sizes[violation] = chosen.get(estimate, rows[f"{column}_best"]).astype(float)
    return sizes


def _locator(fig, top: float, admin1: dict, outline, selected, frame, aspect: float, footer: float) -> None:
    """A small map of all Mali under the keys, above the footer: the regions of the briefing in grey, the main
    map's frame."""
    width, height = fig.get_size_inches()
    west, south, east, north = outline.bounds
    box_width = LEGEND_WIDTH - 0.5
    box_height = min(box_width * (north - south) * aspect / (east - west), top * height - footer - 0.1)
    if box_height < 0.45:
        return
    ax = fig.add_axes([(MAP_WIDTH + 0.15) / width, top - box_height / height, box_width / width, box_height / height])
    ax.set_aspect(aspect, adjustable="box")
    ax.set_axis_off()
    for name in selected:
        _draw_polygons(ax, admin1[name], facecolor="#9a9a9a", edgecolor="none")
    _draw_polygons(ax, outline, fill=False, edgecolor="#333333", linewidth=0.7)
    fw, fs, fe, fn = frame
    ax.plot([fw, fe, fe, fw, fw], [fs, fs, fn, fn, fs], color="#D55E00", linewidth=0.9)
    ax.set_xlim(min(west, fw), max(east, fe))
    ax.set_ylim(min(south, fs), max(north, fn))


def _map_legend(fig, size_of: dict, scale: float, estimate: str, counted, t: Language, drawn: dict) -> float:
    """The keys, stacked in the column right of the map: violations, precision, circle sizes, and the map symbols
    that are drawn (`drawn`: national, regional, water), so a regional map without Bamako does not key it.
    Returns the height, as a fraction of the figure, where the column's free space begins."""
    from matplotlib.lines import Line2D

    def dot(colour, size=7.0, hollow=False, marker="o"):
        return Line2D([], [], linestyle="", marker=marker, markersize=size, markeredgecolor=colour,
                      markerfacecolor="none" if hollow else colour, markeredgewidth=1.2 if hollow else 0.5)

    width, height = fig.get_size_inches()
    left = (MAP_WIDTH + 0.1) / width
    kw = {"frameon": False, "fontsize": MIN_TEXT + 0.5, "title_fontsize": MIN_TEXT + 1, "alignment": "left",
          "handletextpad": 0.6, "borderaxespad": 0, "loc": "upper left"}
    renderer = fig.canvas.get_renderer()
    top = 1 - 0.15 / height

    def stack(legend):
        nonlocal top
        legend.set_bbox_to_anchor((left, top), transform=fig.transFigure)
        top -= legend.get_window_extent(renderer).height / fig.bbox.height + GAP / height

    if size_of:
        stack(fig.legend([dot(config.VIOLATION_COLOURS[v]) for v in size_of], [_label(v, counted, t) for v in size_of],
                         title=t("Violation"), **kw))
    stack(fig.legend([dot("#666666"), dot("#666666", hollow=True)],
                     [t("the locality itself"), t("a seat or centroid\nstanding in")], title=t("Place of the event"),
                     **kw))
    if size_of:
        largest = max(s.max() for s in size_of.values())
        steps = sorted({_nice(largest), _nice(largest / 10), _nice(largest / 100)})
        diameters = [np.sqrt(v * scale) for v in steps]  # points
        block = (sum(diameters) + 6 * len(steps) + 2 * MIN_TEXT) / 72  # inches
        key = fig.add_axes([left, top - block / height, (LEGEND_WIDTH - 0.2) / width, block / height])
        key.set_axis_off()
        key.set_xlim(0, (LEGEND_WIDTH - 0.2) * 72)
        key.set_ylim(-block * 72, 0)
        key.text(0, 0, {"high": t("People (high figure)"), "low": t("People (low figure)")}.get(
            estimate, t("People (best estimate)")),
                 fontsize=MIN_TEXT + 1, va="top")
        y = -2 * MIN_TEXT - 2
        centre = max(diameters) / 2 + 2
        for value, d in zip(steps, diameters):
            key.scatter([centre], [y - d / 2], s=d ** 2, color="#999999", edgecolor="white", linewidth=0.5)
            key.text(2 * centre + 4, y - d / 2, t.number(value), fontsize=MIN_TEXT + 0.5, va="center")
            y -= d + 6
        top -= block / height + GAP / height
    symbols = [(dot("#222222", 5, marker="s"), "Bamako", "national"),
               (dot("#222222", 4, hollow=True, marker="s"), t("regional capital"), "regional"),
               (Line2D([], [], color=RIVER, linewidth=1.2), t("river, lake"), "water")]
    symbols = [(handle, label) for handle, label, kind in symbols if drawn.get(kind)]
    if symbols:
        stack(fig.legend([h for h, _ in symbols], [label for _, label in symbols], title=t("Map"), **kw))
    return top
