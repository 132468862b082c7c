"""A project's dashboard as it shows on the page and live: charts and tables of the figures.

The dashboard's topic is coalesced: a burst of contributions renders its figures once, for each
`MetricsAudience` (readers who get the very same figures).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.i18n import N_, format_week
from app.i18n import gettext as _
from app.models import User
from app.models.base import OrganisationKind, Phase, Role
from app.models.vocabulary import LiveKind, label_for
from app.services import metrics, participation
from app.services.audit import inert_cell
from app.services.live import LiveEvent, PageKind, Topic
from app.services.live.registry import LivePage, register_page, renders
from app.services.metrics import Figure, MetricsOverview, OrganisationMetrics
from app.services.metrics.questions import RESEARCH_QUESTIONS, research_question
from app.services.permissions import (
    MetricsAudience,
    ProjectRelation,
    metrics_audience,
    metrics_audience_or_none,
)
from app.services.render_cache import fragments
from app.views.templating import render_fragment

COLUMN_LABELS = {
    "role": N_("Role"),
    "organisation_kind": N_("Organisation kind"),
    "organisation_id": N_("Organisation id"),
    "organisation": N_("Organisation"),
    "phase": N_("Phase"),
    "week": N_("Week"),
    "participants": N_("Participants"),
    "contributions": N_("Contributions"),
    "actor": N_("Who responds"),
    "addressee": N_("To whom"),
    "exchanges": N_("Exchanges"),
    "exchange": N_("Exchange"),
    "author_role": N_("Author's role"),
    "needs": N_("Needs"),
    "verified": N_("Verified"),
    "share_verified": N_("Share verified"),
    "responded": N_("Got a response"),
    "median_hours": N_("Median hours"),
    "comments": N_("Comments"),
    "replies": N_("Replies"),
    "replies_per_comment": N_("Replies per comment"),
    "share_replied": N_("Share with a reply"),
    "max_depth": N_("Deepest thread"),
    "mean_depth": N_("Mean thread depth"),
    "asked": N_("Asked"),
    "published": N_("Answered and published"),
    "project_id": N_("Project id"),
    "title": N_("Title"),
    "innovation_ambition": N_("Innovation ambition"),
    "share_employees_citizens": N_("Share by employees and citizens"),
    "organisations": N_("Organisations"),
    "inputs": N_("Inputs traced"),
    "reached": N_("Reached a final requirement"),
    "requirements": N_("Final requirements reached"),
    "measure": N_("Measure"),
    "count": N_("Count"),
    "kind": N_("Kind"),
    "shown": N_("Shown"),
    "accepted": N_("Accepted"),
    "dismissed": N_("Dismissed"),
    "share_accepted": N_("Share accepted"),
    "per_100_needs": N_("Per 100 needs posted"),
}
# The rows of the figures that count one measure per row.
MEASURE_LABELS = {
    "final_requirements": N_("Final requirements"),
    "with_verified_need": N_("With a verified need behind them"),
    "without_verified_need": N_("Without a verified need behind them"),
    "single_supplier": N_("Resting on one supplier's proposals alone"),
    "verified_needs": N_("Verified needs"),
    "verified_needs_reached": N_("Verified needs that reached a final requirement"),
    "needs_posted": N_("Needs posted"),
    "merged_after_posting": N_("Needs merged into another after posting"),
    "supported_after_suggestion": N_("Supports given from a similar-need suggestion"),
}
SUGGESTION_KIND_LABELS = {"similar_need": N_("Similar need while typing")}


NO_ORGANISATION = N_("No organisation")  # the group of people without an organisation
EXCHANGE_LABELS = {
    "between_municipalities": N_("Between municipalities and counties"),
    "with_suppliers": N_("With suppliers"),
    "with_citizens": N_("With citizens"),
    "across_organisations": N_("Across organisations"),
    "all": N_("All exchanges"),
}
# Which labels a figure's group column takes its values' names from.
ROLE_COLUMNS = frozenset({"role", "author_role"})
# Columns for programs (the API, the research export), not for people: the dashboard and its
# CSV downloads name the organisation or project instead.
HIDDEN_COLUMNS = frozenset({"organisation_id", "project_id"})


def cell(figure: Figure, column: str, value: object) -> str:
    """A figure's value as a person reads it: named groups translated, a dash where suppressed."""
    if value is None:
        return "–"
    text = str(value)
    if column in ROLE_COLUMNS or (
        column in ("actor", "addressee") and figure.key == "interaction_by_role"
    ):
        return label_for(Role, text)
    if column == "organisation_kind" or column in ("actor", "addressee"):
        return _(NO_ORGANISATION) if text == "none" else label_for(OrganisationKind, text)
    if column == "phase":
        return label_for(Phase, text)
    if column == "exchange":
        return _(EXCHANGE_LABELS.get(text, text))
    if column == "measure":
        return _(MEASURE_LABELS[text]) if text in MEASURE_LABELS else text
    if column == "kind":
        return _(SUGGESTION_KIND_LABELS[text]) if text in SUGGESTION_KIND_LABELS else text
    if column == "week":
        return format_week(text)
    return text


def shown_columns(figure: Figure) -> list[str]:
    """The figure's columns a person reads (no ids)."""
    return [c for c in figure.columns if c not in HIDDEN_COLUMNS]


def figure_csv(figure: Figure) -> str:
    """The figure's table as CSV, as the dashboard shows it: headings and named groups in the
    current language, suppressed cells empty.

    It starts with a byte-order mark, so spreadsheets read it as UTF-8 (æ, ø, å), and no cell
    can run as a formula.
    """
    columns = shown_columns(figure)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column_label(c) for c in columns])
    for row in figure.rows:
        writer.writerow(
            ["" if row[c] is None else inert_cell(cell(figure, c, row[c])) for c in columns]
        )
    return buffer.getvalue()


def column_label(key: str) -> str:
    """A figure's column heading in the current language."""
    return _(COLUMN_LABELS[key]) if key in COLUMN_LABELS else key


HEAT_SHADES = 5  # the heatmap's shades, `heat-0` (none) to `heat-4` (the most), in pivotal.css


@dataclass(frozen=True)
class HeatCell:
    text: str
    shade: int


@dataclass(frozen=True)
class Heatmap:
    """A who-responds-to-whom figure as a grid: actors down, addressees across."""

    figure: Figure
    actors: list[str]
    addressees: list[str]
    cells: list[list[HeatCell]]


def heatmap(figure: Figure) -> Heatmap:
    """Lay the figure's (actor, addressee, exchanges) rows out as a shaded grid.

    Any exchange gets at least the lightest shade; the busiest cell the darkest. A suppressed
    cell shows a dash on no shade, so the colour cannot tell what the figure hides.
    """
    actors = sorted({str(r["actor"]) for r in figure.rows})
    addressees = sorted({str(r["addressee"]) for r in figure.rows})
    values = {(str(r["actor"]), str(r["addressee"])): r["exchanges"] for r in figure.rows}
    peak = max((v for v in values.values() if v), default=0)
    top = HEAT_SHADES - 1

    def shaded(key: tuple[str, str]) -> HeatCell:
        value = values.get(key, 0)
        if value is None:
            return HeatCell("–", 0)
        shade = max(1, -(-value * top // peak)) if value else 0
        return HeatCell(str(value), shade)

    return Heatmap(
        figure=figure,
        actors=actors,
        addressees=addressees,
        cells=[[shaded((a, b)) for b in addressees] for a in actors],
    )


def dashboard_context(figures: list[Figure], data_url: str) -> dict[str, Any]:
    """What the dashboard's charts and tables need from the figures; a figure's CSV is at
    `{data_url}/{key}.csv`."""
    by_key = {f.key: f for f in figures}
    weeks = by_key["participation_by_week"].rows if "participation_by_week" in by_key else []
    return {
        "figures": figures,
        "weeks": weeks,
        "peak": max((r["contributions"] or 0 for r in weeks), default=0),
        "heatmaps": [
            heatmap(by_key[k])
            for k in ("interaction_by_role", "interaction_by_organisation_kind")
            if k in by_key
        ],
        "verified": by_key.get("needs_verified_by_author_role"),
        "column_label": column_label,
        "shown_columns": shown_columns,
        "cell": cell,
        "research_questions": sorted(RESEARCH_QUESTIONS),
        "research_question": research_question,
        "data_url": data_url,
    }


def body_html(
    figures: list[Figure], as_of: datetime | None, lang: str, *, oob: bool, data_url: str
) -> str:
    """The dashboard's charts and tables: on the page, and pushed live when figures change.

    Dated by the latest contribution counted, so the same figures always render the same.
    """
    return render_fragment(
        "metrics/_body.html", lang, oob=oob, as_of=as_of, **dashboard_context(figures, data_url)
    )


PLATFORM_DATA_URL = "/platform/metrics/data"


def project_data_url(project_id: int) -> str:
    """Where a project's figures are downloaded from (`…/{key}.csv`)."""
    return f"/projects/{project_id}/metrics/data"


def organisation_data_url(organisation_id: int) -> str:
    """Where an organisation's figures are downloaded from (`…/{key}.csv`)."""
    return f"/organisations/{organisation_id}/metrics/data"


def project_body_html(session: Session, rel: ProjectRelation, lang: str, *, oob: bool) -> str:
    """The project's dashboard body for this reader, built once per audience and version."""
    audience = metrics_audience(rel, lang)

    def build() -> str:
        result = metrics.for_project(session, rel)
        data_url = project_data_url(audience.project_id)
        return body_html(result.figures, result.as_of, lang, oob=oob, data_url=data_url)

    version = participation.project_version(session, project_id=audience.project_id)
    return fragments.get_or_build(("metrics", audience, oob), version, build)


def organisation_body_html(
    session: Session, user: User | None, organisation_id: int, lang: str
) -> tuple[OrganisationMetrics, str]:
    """A municipality's dashboard figures for this reader and their body, the body built once
    per audience and version of the projects it counts."""
    scope = metrics.organisation_scope(session, user=user, organisation_id=organisation_id)
    version, result = metrics.for_organisation_as_of(
        session, user=user, organisation_id=organisation_id, scope=scope
    )

    def build() -> str:
        data_url = organisation_data_url(organisation_id)
        return body_html(result.figures, result.as_of, lang, oob=False, data_url=data_url)

    key = ("organisation-metrics", organisation_id, scope.key, lang)
    return result, fragments.get_or_build(key, version, build)


def platform_body_html(
    session: Session, user: User | None, lang: str
) -> tuple[MetricsOverview, str]:
    """The platform's dashboard figures for this reader and their body, the body built once
    per audience and version of the projects it counts."""
    scope = metrics.overview_scope(session, user=user)
    version, result = metrics.across_projects_as_of(session, user=user, scope=scope)

    def build() -> str:
        as_of = max((p.as_of for p in result.projects if p.as_of), default=None)
        return body_html(result.totals, as_of, lang, oob=False, data_url=PLATFORM_DATA_URL)

    key = ("platform-metrics", scope.key, lang)
    return result, fragments.get_or_build(key, version, build)


def _resync(session: Session, rel: ProjectRelation, topic: Topic, audience: MetricsAudience) -> str:
    return project_body_html(session, rel, audience.lang, oob=True)


# Every change may move the project's figures, so the dashboard redraws on any of them.
@renders(PageKind.metrics, *(kind for kind in LiveKind))
def figures_changed(
    session: Session,
    rel: ProjectRelation,
    event: LiveEvent,
    topic: Topic,
    audience: MetricsAudience,
) -> str | None:
    """The dashboard's figures again, unless the representative's view has changed since."""
    if metrics_audience_or_none(rel, audience.lang) != audience:
        return None
    return project_body_html(session, rel, audience.lang, oob=True)


register_page(
    LivePage(PageKind.metrics, audience=metrics_audience, resync=_resync, shows_viewers=False)
)
