"""Nynorsk as a third language, chosen by the person, their browser or the organisation's
målform; an organisation's accent colour within the contrast rules; and content marked with the
language it was written in (issue 15, items 1 and 6)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app import i18n
from app.models import AuditEntry, Organisation, Project, User
from app.services import memberships, organisation_look, permissions
from app.services.languages import person_language
from tests.conftest import CSRF_RE, World, login
from tests.helpers import EN, Api


def _lang(page_text: str) -> str:
    return page_text.split('<html lang="', 1)[1].split('"', 1)[0]


def _post(client: TestClient, path: str, **data: str):
    """A form post from a page of the logged-in browser (its CSRF token), in English."""
    token = CSRF_RE.search(client.get("/profile").text).group(1)  # type: ignore[union-attr]
    return client.post(path, data={**data, "csrf_token": token}, headers=EN, follow_redirects=False)


def _set_owner_language(session: Session, world: World, language: str) -> None:
    owner = session.get(Organisation, world.owner.id)
    assert owner is not None
    owner.default_language = language
    session.add(owner)
    session.commit()


@pytest.fixture
def org_admin(world: World, session: Session) -> User:
    """The owner municipality's procurer, made its administrator."""
    rel = permissions.organisation_relation(session, world.admin, world.owner)
    memberships.grant_admin(session, rel=rel, email=world.procurer.email)
    session.commit()
    return world.procurer


# ---- the browser's language ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("nn", "nn"),
        ("nn-NO", "nn"),
        ("nn-NO,nn;q=0.9,no;q=0.8,en;q=0.5", "nn"),
        ("no", "nb"),
        ("nb-NO,nb;q=0.9", "nb"),
        ("en-GB,en;q=0.9", "en"),
        ("en;q=0.8, nn;q=0.9", "nn"),  # the higher q wins, not the first named
        ("nn;q=0.1, en", "en"),
        ("de, nn;q=0.5", "nn"),  # the first of ours
        ("nn;q=0, en;q=0", None),  # q=0: refused
        ("de-DE, fr", None),
        ("nn;q=banana", None),
        ("", None),
    ],
)
def test_the_browsers_language_follows_its_q_values(header: str, expected: str | None) -> None:
    assert i18n.browser_language(header) == expected


def test_a_nynorsk_browser_gets_nynorsk(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "nn-NO,nn;q=0.9,en;q=0.5"})
    assert _lang(page.text) == "nn"
    assert '<option value="nn" lang="nn" selected>Norsk nynorsk</option>' in page.text


def test_a_norwegian_browser_without_a_form_gets_bokmal(client: TestClient) -> None:
    assert _lang(client.get("/", headers={"Accept-Language": "no"}).text) == "nb"


def test_the_cookie_beats_the_browser(client: TestClient) -> None:
    client.cookies.set("lang", "en")
    assert _lang(client.get("/", headers={"Accept-Language": "nn"}).text) == "en"
    client.cookies.set("lang", "nn")
    assert _lang(client.get("/", headers={"Accept-Language": "en"}).text) == "nn"


def test_nynorsk_can_be_chosen_in_the_language_form(client: TestClient) -> None:
    token = CSRF_RE.search(client.get("/").text).group(1)  # type: ignore[union-attr]
    chosen = client.post(
        "/language", data={"lang": "nn", "next": "/", "csrf_token": token}, follow_redirects=False
    )
    assert chosen.status_code == 303 and chosen.cookies.get("lang") == "nn"
    assert _lang(client.get("/", headers=EN).text) == "nn"


def test_a_logged_in_persons_choice_follows_them_to_another_browser(
    client: TestClient, other_client: TestClient, world: World, session: Session
) -> None:
    login(client, world.citizen)
    assert _post(client, "/language", lang="nn", next="/").status_code == 303
    session.expire_all()
    assert session.get(User, world.citizen.id).language == "nn"  # type: ignore[union-attr]
    login(other_client, world.citizen)  # no cookie here
    assert _lang(other_client.get("/", headers=EN).text) == "nn"  # the account beats the browser


def test_dates_are_written_the_nynorsk_way() -> None:
    tuesday = datetime(2026, 10, 27, 8, 0, tzinfo=UTC)
    with i18n.use_language("nn"):
        assert i18n.format_time(tuesday, "EEEE d. MMM y HH:mm") == "tysdag 27. okt. 2026 09:00"
    with i18n.use_language("nb"):
        assert i18n.format_time(tuesday, "EEEE") == "tirsdag"


# ---- the organisation's målform ------------------------------------------------------------------


def test_a_nynorsk_municipalitys_project_pages_are_in_nynorsk_for_visitors_who_named_none(
    client: TestClient, world: World, session: Session, api: Api
) -> None:
    need = api.post_need(world.employee, world.public.id)["id"]
    _set_owner_language(session, world, "nn")
    for path in (f"/projects/{world.public.id}", f"/needs/{need}"):
        assert _lang(client.get(path).text) == "nn", path
        assert _lang(client.get(path, headers=EN).text) == "en", path  # the browser named one
    assert _lang(client.get("/").text) == "nb"  # the platform's own pages: the site's default


def test_a_member_of_a_nynorsk_municipality_gets_nynorsk(
    client: TestClient, world: World, session: Session
) -> None:
    _set_owner_language(session, world, "nn")
    login(client, world.employee)
    assert _lang(client.get("/").text) == "nn"
    client.cookies.set("lang", "nb")
    assert _lang(client.get("/").text) == "nb"  # their own choice first


def test_a_member_of_a_bokmal_municipality_keeps_bokmal_on_a_nynorsk_project(
    client: TestClient, world: World, session: Session
) -> None:
    _set_owner_language(session, world, "nn")
    login(client, world.other_employee)
    assert _lang(client.get(f"/projects/{world.public.id}").text) == "nb"


def test_mail_is_written_in_the_persons_language_or_their_organisations(
    world: World, session: Session
) -> None:
    _set_owner_language(session, world, "nn")
    employee = session.get(User, world.employee.id)
    citizen = session.get(User, world.citizen.id)
    assert employee is not None and citizen is not None
    assert person_language(session, employee) == "nn"
    assert person_language(session, citizen) == "nb"
    employee.language = "en"
    assert person_language(session, employee) == "en"


# ---- the organisation's accent colour -----------------------------------------------------------


@pytest.mark.parametrize(
    ("colour", "ratio"),
    [("#ffffff", 1.0), ("#000000", 21.0), ("#595959", 7.0), ("#767676", 4.54)],
)
def test_contrast_follows_wcag(colour: str, ratio: float) -> None:
    assert organisation_look.contrast(colour, "#ffffff") == pytest.approx(ratio, abs=0.01)


def test_a_too_light_accent_colour_is_refused_naming_its_contrast(
    client: TestClient, world: World, org_admin: User, session: Session
) -> None:
    login(client, org_admin)
    url = f"/organisations/{world.owner.id}/look"
    light = _post(client, url, default_language="nb", accent_colour="#ffcc00")
    assert light.status_code == 422
    assert "contrast of only 1.51:1" in light.text and "4.5:1" in light.text
    assert _post(client, url, default_language="nb", accent_colour="#777777").status_code == 422
    assert _post(client, url, default_language="nb", accent_colour="blue").status_code == 422
    assert _post(client, url, default_language="se", accent_colour="").status_code == 422
    session.expire_all()
    owner = session.get(Organisation, world.owner.id)
    assert owner is not None and owner.accent_colour is None and owner.default_language == "nb"


def test_the_administrators_set_the_målform_and_accent_and_the_log_keeps_it(
    client: TestClient, world: World, org_admin: User, session: Session
) -> None:
    login(client, org_admin)
    page = client.get(f"/organisations/{world.owner.id}/people")
    assert 'id="look-form"' in page.text
    url = f"/organisations/{world.owner.id}/look"
    saved = _post(client, url, default_language="nn", accent_colour="#0B5394")
    assert saved.status_code == 303
    session.expire_all()
    owner = session.get(Organisation, world.owner.id)
    assert owner is not None and (owner.default_language, owner.accent_colour) == ("nn", "#0b5394")
    entry = session.exec(
        select(AuditEntry).where(col(AuditEntry.action) == "organisation_look_set")
    ).one()
    assert entry.organisation_id == world.owner.id
    assert entry.before == {"default_language": "nb", "accent_colour": None}
    assert entry.after == {"default_language": "nn", "accent_colour": "#0b5394"}
    log = client.get(f"/organisations/{world.owner.id}/audit", headers=EN).text
    assert "Language and look set" in log and "Accent colour" in log


def test_others_cannot_set_the_look(
    client: TestClient, world: World, org_admin: User, session: Session
) -> None:
    for person in (world.employee, world.other_procurer, world.citizen):
        client.cookies.clear()
        client.headers.pop("X-CSRF-Token", None)
        login(client, person)
        url = f"/organisations/{world.owner.id}/look"
        assert _post(client, url, default_language="nn", accent_colour="#000000").status_code == 403
    session.expire_all()
    assert session.get(Organisation, world.owner.id).accent_colour is None  # type: ignore[union-attr]


def test_the_theme_stylesheet_sets_the_accent_on_the_organisations_pages(
    client: TestClient, world: World, session: Session
) -> None:
    owner = session.get(Organisation, world.owner.id)
    assert owner is not None
    owner.accent_colour = "#7a1f5c"
    session.commit()
    sheet = client.get(f"/organisations/{world.owner.id}/theme.css")
    assert sheet.status_code == 200
    assert sheet.headers["content-type"].startswith("text/css")
    assert "--accent: #7a1f5c;" in sheet.text and "--accent-ink: #ffffff;" in sheet.text
    link = f'<link rel="stylesheet" href="/organisations/{world.owner.id}/theme.css?v=7a1f5c">'
    assert link in client.get(f"/projects/{world.public.id}").text
    assert link not in client.get("/").text  # the platform's own page
    assert client.get("/organisations/999999/theme.css").status_code == 404


def test_a_visitors_cached_project_page_follows_its_owners_new_look(
    client: TestClient,
    other_client: TestClient,
    world: World,
    org_admin: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "visitor_page_max_age", 0.0)  # ask for the version
    assert "theme.css" not in other_client.get(f"/projects/{world.public.id}").text  # cached
    login(client, org_admin)
    url = f"/organisations/{world.owner.id}/look"
    assert _post(client, url, default_language="nb", accent_colour="#0b5394").status_code == 303
    page = other_client.get(f"/projects/{world.public.id}").text  # the visitor, again
    assert "theme.css?v=0b5394" in page


def test_an_unthemed_organisation_links_no_stylesheet(client: TestClient, world: World) -> None:
    assert "theme.css" not in client.get(f"/projects/{world.public.id}").text
    assert "--accent" not in client.get(f"/organisations/{world.owner.id}/theme.css").text


# ---- the language content is written in ---------------------------------------------------------


def test_a_new_project_is_written_in_its_owners_målform_unless_the_procurer_chooses(
    client: TestClient, world: World, session: Session
) -> None:
    _set_owner_language(session, world, "nn")
    login(client, world.procurer)
    form = {
        "title": "Nattilsyn",
        "summary": "Betre tilsyn om natta.",
        "service_area": "Helse",
        "innovation_ambition": "Frå faste runder til tilsyn etter behov.",
        "visibility": "public",
    }
    assert 'name="language"' in client.get("/projects/new").text
    assert _post(client, "/projects", **form).status_code == 303
    assert _post(client, "/projects", **form, language="en").status_code == 303
    session.expire_all()
    made = session.exec(select(Project).where(Project.title == "Nattilsyn")).all()
    assert sorted(p.language for p in made) == ["en", "nn"]


def test_the_procurer_changes_the_projects_language_and_its_content_follows(
    client: TestClient, world: World, session: Session, api: Api
) -> None:
    need = api.post_need(world.employee, world.public.id)["id"]
    login(client, world.procurer)
    page = client.get(f"/needs/{need}", headers=EN).text
    assert '<html lang="en"' in page and '<h1 lang="nb">' in page
    edit = f"/projects/{world.public.id}/edit"
    current = client.get(edit).text
    assert '<option value="nb" lang="nb" selected>' in current
    saved = _post(
        client,
        edit,
        title=world.public.title,
        summary=world.public.summary,
        innovation_ambition=world.public.innovation_ambition,
        visibility="public",
        partner_org_ids=str(world.partner.id),
        language="nn",
    )
    assert saved.status_code == 303
    entry = session.exec(select(AuditEntry).where(col(AuditEntry.action) == "project_edited")).one()
    assert entry.after == {"language": "nn"}
    project = client.get(f"/projects/{world.public.id}", headers=EN).text
    assert f'id="project-{world.public.id}-header" lang="nn"' in project
    assert '<h1 lang="nn">' in client.get(f"/needs/{need}", headers=EN).text


# ---- the organisation's logo --------------------------------------------------------------------

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _upload(client: TestClient, path: str, name: str, content: bytes):
    token = CSRF_RE.search(client.get("/profile").text).group(1)  # type: ignore[union-attr]
    return client.post(
        path,
        data={"csrf_token": token},
        files={"file": (name, content)},
        headers=EN,
        follow_redirects=False,
    )


def test_the_administrators_upload_a_logo_shown_in_the_projects_header(
    client: TestClient, world: World, org_admin: User, session: Session
) -> None:
    login(client, org_admin)
    url = f"/organisations/{world.owner.id}/logo"
    assert _upload(client, url, "logo.png", PNG).status_code == 303
    session.expire_all()
    owner = session.get(Organisation, world.owner.id)
    assert owner is not None and owner.logo_type == "image/png" and owner.logo_sha256
    served = client.get(url)
    assert served.status_code == 200 and served.content == PNG
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    header = client.get(f"/projects/{world.public.id}").text
    shown = f'<img class="org-logo" src="{url}?v={owner.logo_sha256[:12]}" alt="Eierkommune">'
    assert shown in header
    entry = session.exec(
        select(AuditEntry).where(col(AuditEntry.action) == "organisation_logo_set")
    ).one()
    assert entry.after == {"logo": owner.logo_sha256}
    assert _post(client, url, remove="yes").status_code == 303
    assert client.get(url).status_code == 404
    assert "org-logo" not in client.get(f"/projects/{world.public.id}").text


@pytest.mark.parametrize(
    ("name", "content"),
    [("logo.svg", SVG), ("logo.txt", b"not an image"), ("big.png", PNG + b"\x00" * 300_000)],
)
def test_a_logo_must_be_a_small_png_or_jpeg(
    client: TestClient, world: World, org_admin: User, session: Session, name: str, content: bytes
) -> None:
    login(client, org_admin)
    refused = _upload(client, f"/organisations/{world.owner.id}/logo", name, content)
    assert refused.status_code == 422
    assert "PNG or JPEG" in refused.text or "at most 300 kB" in refused.text
    session.expire_all()
    assert session.get(Organisation, world.owner.id).logo_sha256 is None  # type: ignore[union-attr]


def test_others_cannot_upload_a_logo(client: TestClient, world: World, org_admin: User) -> None:
    login(client, world.employee)
    assert _upload(client, f"/organisations/{world.owner.id}/logo", "l.png", PNG).status_code == 403


def test_under_the_english_interface_project_texts_keep_their_language(
    client: TestClient, world: World
) -> None:
    listing = client.get("/", headers=EN).text
    assert '<html lang="en"' in listing
    assert f'<h2 lang="nb"><a href="/projects/{world.public.id}">' in listing
