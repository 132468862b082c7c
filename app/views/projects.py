"""A project's page as it shows live: its needs list (see `needs`), its phase, and for its
procurers the suppliers registered for the market dialogue."""

from __future__ import annotations

from sqlmodel import Session

from app.models.vocabulary import LiveKind
from app.services import dialogue, participation, projects
from app.services.live import LiveEvent, PageKind, Topic
from app.services.live.registry import LivePage, register_page, renders
from app.services.need_list import NeedFilter
from app.services.permissions import Audience, ProjectRelation, audience_for
from app.services.render_cache import fragments
from app.views.needs import needs_results_html
from app.views.templating import render_block, render_fragment


def phase_html(session: Session, rel: ProjectRelation, audience: Audience) -> str:
    """The project's phase badge and timeline, pushed out of band (cached until it changes)."""

    version = participation.project_version(session, project_id=audience.project_id)
    return fragments.get_or_build(
        ("phase", audience), version, lambda: _phase_fragment(session, rel, audience)
    )


def _phase_fragment(session: Session, rel: ProjectRelation, audience: Audience) -> str:
    overview = projects.phase_overview(session, rel=rel)
    badge = render_fragment(
        "projects/_phase_badge.html", audience.lang, project=rel.project, oob=True
    )
    steps = projects.timeline(rel.project, overview)
    return badge + render_fragment(
        "projects/_phase_timeline.html", audience.lang, steps=steps, oob=True
    )


def phase_form_html(rel: ProjectRelation, audience: Audience) -> str:
    """The gate-decision form with the phases now possible, for procurers.

    Pushed after a move only, never on a reconnect, so a rationale being written is not wiped.
    """
    if not audience.is_procurer:
        return ""
    return render_fragment(
        "projects/_phase_form.html",
        audience.lang,
        project=rel.project,
        next_phases=projects.next_phases(rel.project.phase),
        oob=True,
    )


def header_html(rel: ProjectRelation, audience: Audience) -> str:
    """The project's title, summary and ambition, pushed out of band."""
    return render_fragment("projects/_header.html", audience.lang, project=rel.project, oob=True)


def project_state(session: Session, rel: ProjectRelation, topic: Topic, audience: Audience) -> str:
    """The details, needs list and phase: the project page's state on every (re)connect.

    Rendered once per audience and content version (every change it shows is a contribution,
    which moves the version): when a process dies, its viewers reconnect to the others all at
    once, and thousands of them share a handful of renders. Built from what the database holds
    now, never from another cache that may serve the version before (a reconnect must get what
    it missed), and read after the version, so what is stored is never older than its key.
    """

    def build() -> str:
        needs = needs_results_html(session, rel, audience, NeedFilter(), None, oob=True)
        return header_html(rel, audience) + needs + _phase_fragment(session, rel, audience)

    version = participation.project_version(session, project_id=audience.project_id)
    return fragments.get_or_build(("project-resync", audience), version, build, stale_ok=False)


@renders(PageKind.project, LiveKind.project_edited)
def project_edited(
    session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: Audience
) -> str:
    """The project's new details in place of the old."""
    return header_html(rel, audience)


@renders(PageKind.project, LiveKind.project_phase_moved)
def phase_moved(
    session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: Audience
) -> str:
    """The new phase, and for procurers the form with the moves now possible."""
    return phase_html(session, rel, audience) + phase_form_html(rel, audience)


@renders(PageKind.project, LiveKind.suppliers_changed)
def suppliers_changed(
    session: Session, rel: ProjectRelation, event: LiveEvent, topic: Topic, audience: Audience
) -> str:
    """The procurers' list of the companies registered for the market dialogue, and a word on
    the newcomer (nothing for anyone else: who takes part is the procurers' to know)."""
    if not audience.is_procurer:
        return ""
    suppliers = dialogue.list_suppliers(session, rel=rel)
    lists = render_block(
        "projects/_suppliers.html", "supplier_list", audience.lang, suppliers=suppliers, oob=True
    )
    return lists + render_block("projects/detail.html", "live_supplier_registered", audience.lang)


register_page(LivePage(PageKind.project, audience=audience_for, resync=project_state))
