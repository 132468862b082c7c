# ruff: noqa: E501 (one need a line reads best)
"""A labelled set for themes: a project's needs on four known subjects (bokmål and nynorsk,
inflection, compounds), plus a few needs on subjects of their own."""

from __future__ import annotations

# (id, subject, text: title and problem as the clustering sees them). Subject None: a need on a
# subject of its own, which should not pull a group's needs into it.
NEEDS: list[tuple[int, str | None, str]] = [
    # Home care: late visits, short visits, the same carers.
    (
        1,
        "home",
        "Hjemmetjenesten kommer for sent. Eldre venter ofte en time på hjemmetjenesten om morgenen.",
    ),
    (2, "home", "Heimetenesta kjem for seint. Dei eldre ventar lenge på heimetenesta kvar morgon."),
    (
        3,
        "home",
        "Korte besøk fra hjemmetjenesten. Hjemmetjenestens besøk er så korte at de eldre ikke får hjelp med dusjen.",
    ),
    (
        4,
        "home",
        "For mange ulike ansatte i hjemmetjenesten. Eldre møter nye folk fra hjemmetjenesten hver dag.",
    ),
    (
        5,
        "home",
        "Tjenester i hjemmet må komme til avtalt tid. Tjenestene i hjemmet kommer sjelden når de skal.",
    ),
    (6, "home", "Besøka frå heimetenesta er for korte. Heimetenesta har ikkje tid til dei eldre."),
    # Winter: ploughing and gritting.
    (
        7,
        "winter",
        "Brøyting av fortau. Fortauene blir brøytet for sent, og eldre går på glatta om vinteren.",
    ),
    (
        8,
        "winter",
        "Strøing av gangveier. Gangveiene blir ikke strødd når det er glatt om vinteren.",
    ),
    (9, "winter", "Brøytinga av fortaua er for dårleg. Fortaua blir brøyta seint om vinteren."),
    (
        10,
        "winter",
        "Glatte fortau ved skolen. Fortauet er glatt og ikke strødd om morgenen om vinteren.",
    ),
    (
        11,
        "winter",
        "Snøbrøyting i boligfeltet. Brøytebilen kommer sent, og snøen blir liggende om vinteren.",
    ),
    (12, "winter", "Strøinga av gangvegane er for seint. Gangvegane er glatte heile vinteren."),
    # Library opening hours and offer.
    (
        13,
        "library",
        "Lengre åpningstid på biblioteket. Biblioteket stenger klokka 16, før folk kommer fra jobb.",
    ),
    (14, "library", "Opningstida til biblioteket er for kort. Biblioteket bør ha ope om kvelden."),
    (
        15,
        "library",
        "Biblioteket på lørdager. Bibliotekets åpningstider passer ikke for barnefamilier.",
    ),
    (
        16,
        "library",
        "Meråpent bibliotek. Biblioteket kan være åpent uten ansatte om kvelden med lånekort.",
    ),
    (17, "library", "Flere bøker på biblioteket. Biblioteket har for få nye bøker for ungdom."),
    # School transport and the way to school.
    (
        18,
        "school",
        "Skolebussen er forsinket. Bussen til skolen kommer ofte for sent, barna står ute i kulda.",
    ),
    (19, "school", "Skulebussen kjem for seint. Borna ventar lenge på skulebussen om morgonen."),
    (
        20,
        "school",
        "Trygg skolevei. Barna må krysse en trafikkert vei uten fotgjengerfelt på skoleveien.",
    ),
    (
        21,
        "school",
        "Farlig skolevei ved krysset. Skoleveien har ingen fotgjengerfelt og mye trafikk.",
    ),
    (
        22,
        "school",
        "Skoleskyss for de minste barna. Skolebussen stopper for langt unna for de minste barna.",
    ),
    (23, "school", "Trygg skuleveg. Skulevegen manglar fortau og gangfelt for borna."),
    # Subjects of their own.
    (
        24,
        None,
        "Digital byggesøknad. Søknad om byggetillatelse må sendes på papir og tar lang tid.",
    ),
    (25, None, "Varslingssystem for flom. Innbyggerne får ikke beskjed når elva flommer over."),
    (26, None, "Ladestasjoner for elbil i sentrum. Det finnes ingen offentlige ladere."),
]

SUBJECTS = ("home", "winter", "library", "school")
