"""Charts for the briefing: one colour per violation and per actor class, from config, and deterministic files.

Each chart is saved to the figures folder as PNG and SVG with no date or random id in the file, and is
shown in the notebook as an HTML figure that carries its alt text and caption.
"""
from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from IPython.display import HTML  # noqa: E402
from matplotlib.patches import Polygon as PolygonPatch  # noqa: E402
from shapely.geometry import shape  # noqa: E402

from malibrief import config  # noqa: E402

STYLE = {
    "svg.hashsalt": "mali-briefing",  # fixed ids inside SVG files, so they are byte-identical run to run
    # Text stays text: selectable and searchable in the PDF, editable in a drawing program, and half the bytes.
    # Viewers without DejaVu Sans (the font matplotlib measures with) fall back to their own sans-serif.
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
}
RASTER_POINTS = 2_000  # beyond this many points a map layer is drawn as an image inside the SVG, or files balloon
LABELS = {"killing": "Killings", "detention": "Detentions", "disappearance": "Disappearances"}


def setup() -> None:
    sns.set_theme(style="whitegrid", rc=STYLE)
    plt.rcParams.update(STYLE)


def show(fig, name: str, alt: str, caption: str, figures_dir: Path) -> HTML:
    """Save the chart as PNG and SVG, close it, and return it as an accessible HTML figure."""
    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    # The tight box, found once for both files; "tight" would lay the chart out again for each.
    box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(plt.rcParams["savefig.pad_inches"])
    fig.savefig(figures_dir / f"{name}.png", dpi=200, bbox_inches=box, metadata={"Software": None})
    svg = io.BytesIO()
    fig.savefig(svg, format="svg", bbox_inches=box, metadata={"Date": None, "Creator": None})
    (figures_dir / f"{name}.svg").write_bytes(svg.getvalue())
    plt.close(fig)
    data = base64.b64encode(svg.getvalue()).decode("ascii")
    return HTML(
        f'<figure class="chart" id="fig-{html.escape(name)}">'
        f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(alt)}" style="max-width:100%">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def trends(per_year: pd.DataFrame, which, estimate: str, counted=config.VIOLATIONS):
    """Victims per year, one panel per violation, the low-high range drawn as a band; events where the
    input counts no people (ACLED's arrests and abductions)."""
    fig, axes = plt.subplots(1, len(which), figsize=(3.4 * len(which), 3.2), squeeze=False)
    for ax, violation in zip(axes[0], which):
        rows = per_year[per_year["violation"] == violation]
        colour = config.VIOLATION_COLOURS[violation]
        years = rows["year"].to_numpy()
        if violation not in counted:
            ax.plot(years, rows["events"], color=colour, marker="o", label="events")
        elif estimate == "range":
            ax.fill_between(years, rows["low"], rows["high"], color=colour, alpha=0.25, linewidth=0,
                            label="range (low to high)")
            ax.plot(years, rows["low"], color=colour, marker="o", label="low")
            ax.plot(years, rows["high"], color=colour, marker="o", linestyle="--", label="high")
        else:
            ax.plot(years, rows[estimate], color=colour, marker="o", label=estimate)
        ax.set_title(LABELS[violation])
        ax.set_xticks(years)
        ax.set_xlabel("Year the event began")
        ax.set_ylim(bottom=0)
        ax.set_ylabel("People (documented)" if violation in counted else "Events (people not counted)")
    axes[0][0].legend(frameon=False, fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def events_per_year(per_year: pd.DataFrame, which):
    table = per_year.pivot(index="year", columns="violation", values="events")[list(which)]
    fig, ax = plt.subplots(figsize=(7, 3))
    table.plot.bar(ax=ax, color=[config.VIOLATION_COLOURS[v] for v in which], rot=0, width=0.8)
    ax.set_xlabel("Year the event began")
    ax.set_ylabel("Events (documented)")
    ax.legend([LABELS[v] for v in which], frameon=False)
    fig.tight_layout()
    return fig


def actor_classes(violations: pd.DataFrame, years):
    """Events per year by actor class, stacked."""
    table = (violations.drop_duplicates("event_id").groupby(["year", "actor_class"]).size()
             .unstack(fill_value=0).reindex(list(years), fill_value=0))
    table = table[[c for c in config.ACTOR_CLASSES if c in table.columns]]
    fig, ax = plt.subplots(figsize=(7, 3.4))
    table.plot.bar(ax=ax, stacked=True, color=[config.ACTOR_CLASS_COLOURS[c] for c in table.columns], rot=0, width=0.7)
    ax.set_xlabel("Year the event began")
    ax.set_ylabel("Events (documented)")
    ax.legend(title="Alleged perpetrator", frameon=False, fontsize=8, bbox_to_anchor=(1.01, 1), loc="upper left")
    fig.tight_layout()
    return fig


def regions(by_region: pd.DataFrame, which):
    table = by_region.pivot(index="admin1", columns="violation", values="events").fillna(0)
    table = table.reindex(columns=[v for v in which if v in table.columns])
    table = table.loc[table.sum(axis=1).sort_values().index]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(table) + 1.2))
    table.plot.barh(ax=ax, stacked=True, color=[config.VIOLATION_COLOURS[v] for v in table.columns], width=0.7)
    ax.set_xlabel("Events (documented)")
    ax.set_ylabel("Region (admin1, pre-2023 division)")
    ax.legend([LABELS[v] for v in table.columns], frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def _polygons(geometry: dict):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def _label(violation: str, counted) -> str:
    """A legend entry that says when the input counts events, not people (ACLED's arrests and abductions)."""
    return LABELS[violation] if violation in counted else f"{LABELS[violation]} (events, people not counted)"


def mali_map(events: pd.DataFrame, outline_path: Path, admin1_path: Path, estimate: str, counted=config.VIOLATIONS):
    """Events placed at their coordinates, sized by victims, over Mali's admin1 boundaries."""
    fig, ax = plt.subplots(figsize=(7, 6.4))
    for feature in json.loads(Path(admin1_path).read_text(encoding="utf-8"))["features"]:
        for polygon in _polygons(feature["geometry"]):
            ax.add_patch(PolygonPatch(np.array(polygon[0]), closed=True, facecolor="#f4f4f4",
                                      edgecolor="#9a9a9a", linewidth=0.6))
        point = shape(feature["geometry"]).representative_point()
        ax.text(point.x, point.y, feature["properties"]["name"], fontsize=7, color="#555555", ha="center")
    for feature in json.loads(Path(outline_path).read_text(encoding="utf-8"))["features"]:
        for polygon in _polygons(feature["geometry"]):
            ax.add_patch(PolygonPatch(np.array(polygon[0]), closed=True, fill=False, edgecolor="#333333", linewidth=1))
    placed = events.dropna(subset=["latitude", "longitude"])
    for violation, column in config.COUNT_COLUMNS.items():
        rows = placed[placed[f"{column}_low"] > 0]
        if rows.empty:
            continue
        size = rows[f"{column}_high"].fillna(rows[f"{column}_low"]) if estimate == "high" else rows[f"{column}_low"]
        ax.scatter(rows["longitude"], rows["latitude"], s=12 + 6 * np.sqrt(size.astype(float)),
                   color=config.VIOLATION_COLOURS[violation], alpha=0.55, edgecolor="white", linewidth=0.5,
                   label=_label(violation, counted), rasterized=len(rows) > RASTER_POINTS)
    ax.set_xlim(-12.5, 4.5)
    ax.set_ylim(10, 25.2)
    ax.set_aspect("equal")
    ax.set_xlabel("Longitude (°)")
    ax.set_ylabel("Latitude (°)")
    ax.grid(False)
    if not placed.empty:
        ax.legend(frameon=False, loc="upper left", fontsize=8, title="Circle area: people")
    fig.tight_layout()
    return fig


def timeline(by_month: pd.DataFrame, largest: pd.DataFrame, which, start_year: int, end_year: int,
             counted=config.VIOLATIONS):
    """People per month (low figures), one bar per violation, the largest events labelled on their bar."""
    fig, ax = plt.subplots(figsize=(9, 3.8))
    shift = {v: (i - (len(which) - 1) / 2) * 10 for i, v in enumerate(which)}
    for violation in which:
        rows = by_month[by_month["violation"] == violation]
        x = rows["month"] + pd.to_timedelta(14 + shift[violation], unit="D")
        ax.bar(x, rows["victims_low"], width=10, color=config.VIOLATION_COLOURS[violation],
               label=_label(violation, counted))
    labelled = largest.assign(month=largest["date_start"].dt.to_period("M").dt.to_timestamp())
    for i, ((month, violation), rows) in enumerate(labelled.groupby(["month", "violation"], sort=True)):
        height = by_month[(by_month["month"] == month) & (by_month["violation"] == violation)]["victims_low"].sum()
        text = ", ".join(f"{(r.place.split(';')[0] or 'no place given')} ({r.victims_low:,})" for r in rows.itertuples())
        ax.annotate(text, (month + pd.to_timedelta(14 + shift[violation], unit="D"), height),
                    xytext=(6, 6 + 12 * (i % 3)), textcoords="offset points", fontsize=7,
                    arrowprops={"arrowstyle": "-", "color": "#777777", "linewidth": 0.5})
    ax.set_xlim(pd.Timestamp(start_year, 1, 1), pd.Timestamp(end_year, 12, 31))
    ax.set_xticks([pd.Timestamp(y, 1, 1) for y in range(start_year, end_year + 1)])
    ax.set_xticklabels([str(y) for y in range(start_year, end_year + 1)])
    ax.set_ylabel("People (low figure)")
    ax.set_xlabel("Month the event began")
    ax.set_ylim(bottom=0, top=max(1, by_month["victims_low"].max() if len(by_month) else 1) * 1.35)
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig
