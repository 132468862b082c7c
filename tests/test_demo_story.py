"""The demo's story is data: a scene written in `story.toml`'s form plays through the services."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from app import demo
from app.demo import cast
from app.models import Comment, Need, Project
from app.models.base import NeedStatus, id_of
from app.services import themes


def _example_scene() -> list[dict[str, object]]:
    """The scene the story's header shows as an example, read as the loader reads steps."""
    header = Path(cast.__file__).with_name("story.toml").read_text("utf-8")
    example = "\n".join(re.findall(r"^#   ?(.*)$", header, flags=re.MULTILINE))
    return tomllib.loads(example)["step"]


def test_a_scene_written_as_data_plays_through_the_services(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    scene = _example_scene()
    assert [step["do"] for step in scene] == ["need", "comment", "status"]
    monkeypatch.setitem(cast.STORY, "step", [*cast.STORY["step"], *scene])
    demo.load_demo(session)
    need = session.exec(select(Need).where(col(Need.title) == "Skyss til dagsenteret")).one()
    assert need.status == NeedStatus.under_review
    [comment] = session.exec(select(Comment).where(Comment.need_id == need.id)).all()
    assert comment.body.startswith("Takk!")


def test_a_step_of_no_known_kind_is_refused(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    step = {"do": "dance", "on": "day 3, 10:00", "by": "ansatt@trondheim"}
    monkeypatch.setitem(cast.STORY, "step", [step])
    with pytest.raises(ValueError, match="No kind of step 'dance'"):
        demo.load_demo(session)


def test_the_demo_projects_needs_have_themes_to_filter_by(session: Session) -> None:
    demo.load_demo(session)
    home_care = session.exec(select(Project).where(col(Project.title).startswith("Digital"))).one()
    assert themes.names_of(session, project_id=id_of(home_care))[:2] == [
        "Natt",
        "Velferdsteknologi",
    ]
    night = themes.resolve(session, project_id=id_of(home_care), name="Natt")
    titles = session.exec(select(Need.title).where(Need.theme_id == night)).all()
    assert titles == ["Færre unødvendige nattbesøk"]
