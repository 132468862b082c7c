"""The documents page: the list, the upload form (plain and htmx), and the procurers' buttons."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import get_settings
from tests.conftest import CSRF_RE, World, login
from tests.helpers import EN, EXECUTABLE, PDF, Api, published, uploaded, without_javascript

HTMX_DOCUMENT_FORM = {"HX-Request": "true", "HX-Trigger": "document-form", **EN}


def _form_fields(**fields: str) -> dict[str, str]:
    return {"title": "Referat fra dialogkonferansen", "kind": "minutes", **fields}


def test_the_project_page_links_to_its_documents(client: TestClient, world: World) -> None:
    page = client.get(f"/projects/{world.public.id}")
    assert f'href="/projects/{world.public.id}/documents"' in page.text
    assert "Dokumenter" in page.text  # its tab, in bokmål by default


def test_the_upload_form_labels_every_field_and_states_types_and_size(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "max_upload_bytes", 5_000_000)
    login(client, world.procurer)
    page = client.get(f"/projects/{world.public.id}/documents").text
    form = re.search(r'<form id="document-form".*?</form>', page, re.S)
    assert form, "no upload form"
    html = form.group(0)
    assert 'enctype="multipart/form-data"' in html and 'hx-encoding="multipart/form-data"' in html
    assert 'name="csrf_token"' in html
    for field in ("file", "title", "kind", "audience", "description"):
        assert f'id="document-{field}"' in html
        assert f'<label for="document-{field}">' in html
    assert "PDF, PNG, JPEG" in html and "Høyst 5 MB" in html
    assert 'id="document-form-errors" role="alert"' in html
    assert "<script" not in page.split("</head>", 1)[1] and "style=" not in page


def test_procurer_uploads_and_publishes_with_plain_forms(client: TestClient, world: World) -> None:
    login(client, world.procurer)
    page = without_javascript(client).get(f"/projects/{world.public.id}/documents")
    token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
    response = client.post(
        f"/projects/{world.public.id}/documents",
        data={**_form_fields(audience="public"), "csrf_token": token},
        files={"file": ("referat.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/projects/{world.public.id}/documents"
    page = client.get(f"/projects/{world.public.id}/documents").text
    assert "Referat fra dialogkonferansen" in page and "Utkast" in page
    document_id = re.search(r'action="/documents/(\d+)/publish"', page).group(1)  # type: ignore[union-attr]
    response = client.post(
        f"/documents/{document_id}/publish", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    visitor = TestClient(client.app).get(f"/projects/{world.public.id}/documents").text
    assert "Referat fra dialogkonferansen" in visitor
    assert "Referat · PDF" in re.sub(r"\s+", " ", visitor)
    assert f'href="/api/v1/documents/{document_id}/file"' in visitor
    assert 'id="document-form"' not in visitor and "/publish" not in visitor


def test_a_plain_upload_without_the_csrf_token_is_refused(
    client: TestClient, world: World, upload_dir: Path
) -> None:
    login(client, world.procurer)
    response = without_javascript(client).post(
        f"/projects/{world.public.id}/documents",
        data=_form_fields(),
        files={"file": ("referat.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 403
    assert not upload_dir.exists() or not any(p.is_file() for p in upload_dir.rglob("*"))


def test_htmx_upload_redirects_on_success(client: TestClient, world: World) -> None:
    login(client, world.procurer)
    response = client.post(
        f"/projects/{world.public.id}/documents",
        data=_form_fields(),
        files={"file": ("referat.pdf", PDF, "application/pdf")},
        headers=HTMX_DOCUMENT_FORM,
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/projects/{world.public.id}/documents"


def test_htmx_upload_refusal_lands_next_to_the_form(client: TestClient, world: World) -> None:
    login(client, world.procurer)
    response = client.post(
        f"/projects/{world.public.id}/documents",
        data=_form_fields(),
        files={"file": ("tilbud.pdf", EXECUTABLE, "application/pdf")},
        headers=HTMX_DOCUMENT_FORM,
    )
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#document-form-errors"
    assert "This kind of file is not accepted" in response.text


def test_a_form_without_a_file_asks_for_one(client: TestClient, world: World) -> None:
    login(client, world.procurer)
    response = client.post(
        f"/projects/{world.public.id}/documents",
        data=_form_fields(),
        files={"file": ("", b"", "application/octet-stream")},
        headers=HTMX_DOCUMENT_FORM,
    )
    assert response.status_code == 422
    assert "Choose a file to upload." in response.text or "The file is empty." in response.text


def test_a_citizens_upload_form_post_is_refused(client: TestClient, world: World) -> None:
    login(client, world.citizen)
    response = client.post(
        f"/projects/{world.public.id}/documents",
        data=_form_fields(),
        files={"file": ("referat.pdf", PDF, "application/pdf")},
        headers=HTMX_DOCUMENT_FORM,
    )
    assert response.status_code == 403
    assert "procurers can upload and publish documents." in response.text


def test_procurer_changes_the_audience_and_withdraws_from_the_page(
    client: TestClient, api: Api, world: World
) -> None:
    document = published(api, world.procurer, world.public.id, audience="participants")
    login(client, world.procurer)
    response = client.post(
        f"/documents/{document['id']}/audience",
        data={"audience": "public"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    visitor = TestClient(client.app)  # `api` shares the logged-in client's cookies
    assert visitor.get(f"/api/v1/documents/{document['id']}").status_code == 200
    bad = client.post(
        f"/documents/{document['id']}/audience", data={"audience": "alle"}, headers=EN
    )
    assert bad.status_code == 422 and "Who may see it is not valid." in bad.text
    refused = client.post(f"/documents/{document['id']}/withdraw", headers=EN)
    assert refused.status_code == 422 and "withdrawn for good" in refused.text
    assert visitor.get(f"/api/v1/documents/{document['id']}").status_code == 200
    response = client.post(
        f"/documents/{document['id']}/withdraw", data={"confirm": "yes"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert visitor.get(f"/api/v1/documents/{document['id']}").status_code == 404
    page = client.get(f"/projects/{world.public.id}/documents").text
    assert "Trukket tilbake" in page
    assert f"/documents/{document['id']}/withdraw" not in page  # nothing left to do


def test_the_documents_page_of_an_internal_project_is_404_for_outsiders(
    client: TestClient, api: Api, world: World
) -> None:
    uploaded(api, world.procurer, world.internal.id)
    assert client.get(f"/projects/{world.internal.id}/documents").status_code == 404
    login(client, world.other_procurer)
    assert client.get(f"/projects/{world.internal.id}/documents").status_code == 404


def test_an_empty_list_says_so(client: TestClient, world: World) -> None:
    page = client.get(f"/projects/{world.public.id}/documents").text
    assert "Ingen dokumenter er publisert ennå." in page
