"""Dialogue events: the events pages with plain forms (htmx-enhanced), the API and ICS files."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app import i18n
from app.db import SessionDep
from app.i18n import N_
from app.models import DialogueEvent
from app.models.base import Id, id_of
from app.models.event import (
    DIGITAL,
    AttendanceMark,
    DialogueEventCreate,
    DialogueEventPublic,
    EventKind,
    EventRegistrationPublic,
    MinutesWrite,
    SlotGeneration,
    SlotPublic,
)
from app.services import events, permissions, project_tabs, projects
from app.services.errors import Invalid
from app.services.permissions import ProjectRelation, audience_for
from app.services.project_tabs import Section
from app.views.events import event_context, event_list_context, events_more_html
from app.web import (
    CurrentUser,
    FormView,
    OwnParts,
    api_router,
    form_moment,
    page_router,
    parse,
    project_view_page,
    redirect,
    render,
)

pages = page_router()
api = api_router("dialogue events")
CONFIRM_MINUTES = N_(
    "Tick the box to confirm that the minutes should be published; published minutes cannot be "
    "taken back."
)
ICS = "text/calendar; charset=utf-8"


# ---- pages ------------------------------------------------------------------------------------


def _list_context(
    session: Session, rel: ProjectRelation, cursor: str | None = None
) -> dict[str, Any]:
    return {
        **event_list_context(session, rel, i18n.current_language(), cursor),
        "tabs": project_tabs.tabs_for(session, rel=rel, current=Section.events),
        "can_plan": permissions.allows(permissions.ensure_can_plan_events, rel)
        and permissions.phase_allows(rel.project.phase, permissions.DialogueAction.plan_event),
        "EventKind": EventKind,
        "audience": audience_for(rel),
    }


@pages.get("/projects/{project_id}/events")
async def events_page(request: Request, project_id: Id, cursor: str = "") -> Response:
    """The project's dialogue events (paged; `cursor` from "Show more" without JavaScript),
    with the planning form for procurers; for visitors from the render cache while the
    project's version stands."""
    return await project_view_page(
        request,
        project_id,
        "events/list.html",
        lambda session, rel: _list_context(session, rel, cursor or None),
        OWN_REGISTRATIONS,
    )


# The person's own part of the events page: their registration for each event (one read
# whether they have any does, when they have none).
OWN_REGISTRATIONS = OwnParts(
    read=lambda session, rel: {
        "my_registrations": events.registrations_in_project(session, rel=rel)
    },
    facts={"registered": events.registered_in_project},
    context=lambda facts: None if facts["registered"] else {"my_registrations": {}},
)


@pages.get("/projects/{project_id}/events/more")
def events_more(
    session: SessionDep, user: CurrentUser, project_id: Id, cursor: str = ""
) -> Response:
    """The next page of the events and its "Show more" link (htmx puts it in place of the link
    clicked; without htmx the link goes to the events page)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return HTMLResponse(events_more_html(session, rel, i18n.current_language(), cursor))


@pages.post("/projects/{project_id}/events")
def create_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    project_id: Id,
    kind: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
    starts_at: Annotated[str, Form()] = "",
    ends_at: Annotated[str, Form()] = "",
    capacity: Annotated[str, Form()] = "",
    slot_minutes: Annotated[str, Form()] = "",
) -> Response:
    """A procurer plans an event from the events page."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    permissions.ensure_can_plan_events(rel)
    typed = {"starts_at": starts_at, "ends_at": ends_at, "location": location}
    view = FormView("events/_event_form.html", {"project": rel.project}, typed)
    data = parse(
        DialogueEventCreate,
        view,
        kind=kind,
        title=title,
        description=description,
        location=location.strip() or DIGITAL,
        starts_at=form_moment(starts_at),
        ends_at=form_moment(ends_at),
        capacity=capacity or None,
        slot_minutes=slot_minutes or None,
    )
    event = events.create_event(session, rel=rel, data=data)
    return redirect(request, f"/events/{event.id}")


@pages.get("/events/{event_id}")
def event_page(request: Request, session: SessionDep, user: CurrentUser, event_id: Id) -> Response:
    """One event: details, counts, one's own registration or booking, slots, minutes."""
    rel, event = events.find_event(session, user=user, event_id=event_id)
    return render(
        request, "events/detail.html", event_context(session, rel, event, i18n.current_language())
    )


@pages.post("/events/{event_id}/register")
def register_form(
    request: Request, session: SessionDep, user: CurrentUser, event_id: Id
) -> Response:
    """Register oneself for a conference."""
    rel, event = events.find_event(session, user=user, event_id=event_id)
    events.register(session, rel=rel, event=event)
    return redirect(request, f"/events/{event_id}")


@pages.post("/events/{event_id}/cancel")
def cancel_form(request: Request, session: SessionDep, user: CurrentUser, event_id: Id) -> Response:
    """Cancel one's own registration."""
    rel, event = events.find_event(session, user=user, event_id=event_id)
    events.cancel_registration(session, rel=rel, event=event)
    return redirect(request, f"/events/{event_id}")


@pages.post("/events/{event_id}/slots")
def slots_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    event_id: Id,
    slot_minutes: Annotated[str, Form()] = "",
) -> Response:
    """A procurer cuts the event into slots."""
    rel, event = events.find_event(session, user=user, event_id=event_id)
    data = parse(SlotGeneration, slot_minutes=slot_minutes or None)
    events.generate_slots(session, rel=rel, event=event, slot_minutes=data.slot_minutes)
    return redirect(request, f"/events/{event_id}")


@pages.post("/slots/{slot_id}/book")
def book_form(request: Request, session: SessionDep, user: CurrentUser, slot_id: Id) -> Response:
    """A registered supplier books a slot for its company."""
    rel, event, slot = events.find_slot(session, user=user, slot_id=slot_id)
    events.book_slot(session, rel=rel, event=event, slot=slot)
    return redirect(request, f"/events/{event.id}")


@pages.post("/slots/{slot_id}/cancel")
def cancel_booking_form(
    request: Request, session: SessionDep, user: CurrentUser, slot_id: Id
) -> Response:
    """Free one's company's slot."""
    rel, event, slot = events.find_slot(session, user=user, slot_id=slot_id)
    events.cancel_booking(session, rel=rel, event=event, slot=slot)
    return redirect(request, f"/events/{event.id}")


@pages.post("/events/{event_id}/minutes")
def minutes_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    event_id: Id,
    minutes: Annotated[str, Form()] = "",
    publish: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """A procurer saves the minutes, and publishes them if asked and confirmed."""
    rel, event = events.find_event(session, user=user, event_id=event_id)
    view = FormView("events/detail.html", typed={"publish": publish})
    data = parse(MinutesWrite, view, minutes=minutes)
    if publish and confirm != "yes":
        permissions.ensure_can_plan_events(rel)  # says who may publish before asking to confirm
        raise Invalid(CONFIRM_MINUTES)
    events.write_minutes(session, rel=rel, event=event, minutes=data.minutes)
    if publish:
        events.publish_minutes(session, rel=rel, event=event)
    return redirect(request, f"/events/{event_id}")


@pages.post("/events/{event_id}/attendance")
def attendance_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    event_id: Id,
    user_ids: Annotated[list[Id] | None, Form()] = None,
) -> Response:
    """A procurer marks who attended."""
    rel, event = events.find_event(session, user=user, event_id=event_id)
    data = parse(AttendanceMark, user_ids=user_ids or [])
    events.mark_attendance(session, rel=rel, event=event, user_ids=data.user_ids)
    return redirect(request, f"/events/{event_id}")


# ---- API --------------------------------------------------------------------------------------


@api.get("/projects/{project_id}/events.ics", response_class=Response)
def project_calendar(session: SessionDep, user: CurrentUser, project_id: Id) -> Response:
    """All of a project's dialogue events as an iCalendar file."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    found = events.project_events(session, project=rel.project)
    body = events.calendar(found, name=rel.project.title)
    headers = {"Content-Disposition": f'attachment; filename="project-{project_id}-events.ics"'}
    return Response(body, media_type=ICS, headers=headers)


@api.get("/events/{event_id}.ics", response_class=Response)
def event_calendar(session: SessionDep, user: CurrentUser, event_id: Id) -> Response:
    """One dialogue event as an iCalendar file."""
    _rel, event = events.find_event(session, user=user, event_id=event_id)
    body = events.calendar([event], name=event.title)
    headers = {"Content-Disposition": f'attachment; filename="event-{event_id}.ics"'}
    return Response(body, media_type=ICS, headers=headers)


@api.get("/projects/{project_id}/events")
def list_events(
    session: SessionDep, user: CurrentUser, project_id: Id
) -> list[DialogueEventPublic]:
    """The project's dialogue events with counts (and the caller's own registration)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    return [view.to_public() for view in events.list_events(session, rel=rel)]


@api.post("/projects/{project_id}/events", status_code=201)
def create_event(
    session: SessionDep, user: CurrentUser, project_id: Id, data: DialogueEventCreate
) -> DialogueEventPublic:
    """Plan a dialogue conference or a round of one-to-one meetings (procurers)."""
    rel = projects.get_project(session, user=user, project_id=project_id)
    event = events.create_event(session, rel=rel, data=data)
    return events.event_view(session, rel=rel, event=event).to_public()


@api.get("/events/{event_id}")
def read_event(session: SessionDep, user: CurrentUser, event_id: Id) -> DialogueEventPublic:
    """One event with its counts; the minutes for those who may read them."""
    rel, event = events.find_event(session, user=user, event_id=event_id)
    return events.event_view(session, rel=rel, event=event).to_public()


@api.post("/events/{event_id}/registrations", status_code=201)
def register(session: SessionDep, user: CurrentUser, event_id: Id) -> EventRegistrationPublic:
    """Register oneself for a conference: confirmed, or waitlisted with a position."""
    rel, event = events.find_event(session, user=user, event_id=event_id)
    registration = events.register(session, rel=rel, event=event)
    return _own(session, rel, registration)


@api.delete("/events/{event_id}/registrations/me")
def cancel_registration(
    session: SessionDep, user: CurrentUser, event_id: Id
) -> EventRegistrationPublic:
    """Cancel one's own registration (the first on the waitlist moves up)."""
    rel, event = events.find_event(session, user=user, event_id=event_id)
    registration = events.cancel_registration(session, rel=rel, event=event)
    return _own(session, rel, registration)


def _own(session: Session, rel: ProjectRelation, registration: Any) -> EventRegistrationPublic:
    user = permissions.require_user(rel.user)
    return EventRegistrationPublic.model_validate(
        registration,
        update={
            "name": user.display_name,
            "organisation_name": None,
            "waitlist_position": events.waitlist_position(session, registration=registration),
            "attended": registration.attended_at is not None,
        },
    )


@api.get("/events/{event_id}/registrations")
def list_registrations(
    session: SessionDep, user: CurrentUser, event_id: Id
) -> list[EventRegistrationPublic]:
    """Who registered, confirmed first and then the waitlist in order (procurers)."""
    rel, event = events.find_event(session, user=user, event_id=event_id)
    permissions.require_user(rel.user)
    return events.list_registrations(session, rel=rel, event=event)


@api.get("/events/{event_id}/slots")
def list_slots(session: SessionDep, user: CurrentUser, event_id: Id) -> list[SlotPublic]:
    """The event's slots, free or taken; who booked only for procurers and the company itself."""
    rel, event = events.find_event(session, user=user, event_id=event_id)
    return events.list_slots(session, rel=rel, event=event)


@api.post("/events/{event_id}/slots", status_code=201)
def generate_slots(
    session: SessionDep,
    user: CurrentUser,
    event_id: Id,
    data: SlotGeneration | None = None,
) -> list[SlotPublic]:
    """Cut a one-to-one event into slots of equal length (procurers)."""
    rel, event = events.find_event(session, user=user, event_id=event_id)
    minutes = data.slot_minutes if data else None
    events.generate_slots(session, rel=rel, event=event, slot_minutes=minutes)
    return events.list_slots(session, rel=rel, event=event)


@api.post("/slots/{slot_id}/booking", status_code=201)
def book_slot(session: SessionDep, user: CurrentUser, slot_id: Id) -> SlotPublic:
    """Book the slot for one's company (registered suppliers; one per company per event)."""
    rel, event, slot = events.find_slot(session, user=user, slot_id=slot_id)
    events.book_slot(session, rel=rel, event=event, slot=slot)
    return _slot(session, rel, event, id_of(slot))


@api.delete("/slots/{slot_id}/booking")
def cancel_booking(session: SessionDep, user: CurrentUser, slot_id: Id) -> SlotPublic:
    """Free the slot one's company booked."""
    rel, event, slot = events.find_slot(session, user=user, slot_id=slot_id)
    events.cancel_booking(session, rel=rel, event=event, slot=slot)
    return _slot(session, rel, event, id_of(slot))


def _slot(session: Session, rel: ProjectRelation, event: DialogueEvent, slot_id: int) -> SlotPublic:
    return next(s for s in events.list_slots(session, rel=rel, event=event) if s.id == slot_id)


@api.put("/events/{event_id}/minutes")
def write_minutes(
    session: SessionDep, user: CurrentUser, event_id: Id, data: MinutesWrite
) -> DialogueEventPublic:
    """Draft the event's minutes in Markdown (procurers; final once published)."""
    rel, event = events.find_event(session, user=user, event_id=event_id)
    events.write_minutes(session, rel=rel, event=event, minutes=data.minutes)
    return events.event_view(session, rel=rel, event=event).to_public()


@api.post("/events/{event_id}/minutes/publish")
def publish_minutes(session: SessionDep, user: CurrentUser, event_id: Id) -> DialogueEventPublic:
    """Publish the minutes to the participants and the registered suppliers (procurers)."""
    rel, event = events.find_event(session, user=user, event_id=event_id)
    events.publish_minutes(session, rel=rel, event=event)
    return events.event_view(session, rel=rel, event=event).to_public()


@api.post("/events/{event_id}/attendance")
def mark_attendance(
    session: SessionDep, user: CurrentUser, event_id: Id, data: AttendanceMark
) -> dict[str, list[int]]:
    """Mark who attended (procurers); returns who was newly marked."""
    rel, event = events.find_event(session, user=user, event_id=event_id)
    marked = events.mark_attendance(session, rel=rel, event=event, user_ids=data.user_ids)
    return {"marked": marked}
