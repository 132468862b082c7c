"""Project documents: needs descriptions, draft specifications for hearing, minutes, notices.

The row keeps what the uploads service learnt about the file (digest, size, sniffed type, display
name); the bytes live outside the web root and are served only after a permission check.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import model_validator
from sqlmodel import Field, SQLModel

from app.i18n import N_
from app.models.base import UtcDateTime, created_at_field, enum_field, strip_text
from app.models.vocabulary import register_labels

TITLE_MAX = 200
DESCRIPTION_MAX = 2000


class DocumentKind(StrEnum):
    """What a document is in the procurement."""

    needs_description = "needs_description"
    draft_specification = "draft_specification"
    minutes = "minutes"
    market_notice = "market_notice"
    other = "other"


class DocumentAudience(StrEnum):
    """Who sees a document once it is published."""

    public = "public"  # everyone who may see the project
    participants = "participants"  # procurers, member organisations' staff, registered suppliers
    procurers = "procurers"  # the project's procurers only


KIND_LABELS = register_labels(
    DocumentKind,
    {
        DocumentKind.needs_description: N_("Needs description"),
        DocumentKind.draft_specification: N_("Draft specification for hearing"),
        DocumentKind.minutes: N_("Minutes"),
        DocumentKind.market_notice: N_("Market notice"),
        DocumentKind.other: N_("Other document"),
    },
)
AUDIENCE_LABELS = register_labels(
    DocumentAudience,
    {
        DocumentAudience.public: N_("Everyone who can see the project"),
        DocumentAudience.participants: N_(
            "Participants: the project's municipalities and registered suppliers"
        ),
        DocumentAudience.procurers: N_("The project's procurers only"),
    },
)


class DocumentBase(SQLModel):
    """What the uploader says about a document."""

    kind: DocumentKind = Field(default=DocumentKind.other)
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    audience: DocumentAudience = Field(default=DocumentAudience.participants)


class DocumentCreate(DocumentBase):
    """The fields sent with an upload (the file comes alongside)."""

    @model_validator(mode="after")
    def _stripped(self) -> DocumentCreate:
        blank = N_("The title cannot be blank.")
        return strip_text(self, ("title",), blank, optional=("description",))


class DocumentAudienceChange(SQLModel):
    """A new audience for a document."""

    audience: DocumentAudience


class Document(SQLModel, table=True):
    """A file attached to a project; a draft (procurers only) until it is published."""

    __tablename__ = "document"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    kind: str = enum_field(DocumentKind)
    title: str = Field(max_length=TITLE_MAX)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    audience: str = enum_field(DocumentAudience)
    sha256: str = Field(max_length=64)
    size: int
    content_type: str = Field(max_length=100)
    filename: str = Field(max_length=200)
    uploaded_by_id: int = Field(foreign_key="user.id")
    uploaded_at: datetime = created_at_field()
    published_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class DocumentPublic(SQLModel):
    """A document as the API shows it to someone who may see it."""

    id: int
    project_id: int
    kind: DocumentKind
    title: str
    description: str
    audience: DocumentAudience
    filename: str
    size: int
    content_type: str
    uploaded_at: datetime
    published_at: datetime | None
    withdrawn_at: datetime | None
    url: str = Field(description="Where the file is downloaded (with the same permission check)")
