# ruff: noqa: E501 (one need a line reads best)
"""A labelled set of Norwegian need texts: a project's needs, and new texts that do or do not
duplicate one of them (bokmål and nynorsk, inflection, compounds, other words for the same)."""

from __future__ import annotations

# The project's needs (id, text: title and problem as the index sees them).
NEEDS: list[tuple[int, str]] = [
    (
        1,
        "Hjemmetjenesten kommer for sent. Eldre venter ofte en time på hjemmetjenesten om morgenen.",
    ),
    (2, "Brøyting av fortau. Fortauene blir brøytet for sent, og eldre går på glatta om vinteren."),
    (
        3,
        "Lengre åpningstid på biblioteket. Biblioteket stenger klokka 16, før folk kommer fra jobb.",
    ),
    (4, "Digital byggesøknad. Søknad om byggetillatelse må sendes på papir og tar lang tid."),
    (
        5,
        "Skolebussen er forsinket. Bussen til skolen kommer ofte for sent, barna står ute i kulda.",
    ),
    (6, "Bemanning på sykehjemmet om natta. Det er for få ansatte på nattevakt på sykehjemmet."),
    (7, "Trygg skolevei. Barna må krysse en trafikkert vei uten fotgjengerfelt på vei til skolen."),
    (8, "Avfallshenting på hyttefeltet. Søppelet hentes for sjelden, og containerne blir fulle."),
    (9, "Varslingssystem for flom. Innbyggerne får ikke beskjed når elva flommer over."),
    (10, "Tilgang til legevakten. Ventetiden på legevakten er for lang, særlig i helgene."),
    (11, "Bedre belysning i parken. Parken er mørk om kvelden og folk føler seg utrygge."),
    (
        12,
        "Velferdsteknologi for eldre. Sensorer og digitale tilsyn kan gi eldre tryggere hverdag hjemme.",
    ),
]

# New texts and the need they duplicate (None: none of them).
QUERIES: list[tuple[str, int | None]] = [
    ("Tjenester i hjemmet kommer seint", 1),
    ("Heimetenesta kjem for seint om morgonen", 1),
    ("Eldre må vente lenge på hjemmetjenestene", 1),
    ("Fortau blir ikke brøytet", 2),
    ("Brøytinga av fortaua er for dårleg om vinteren", 2),
    ("Biblioteket bør ha åpent lenger om kvelden", 3),
    ("Opningstida til biblioteket er for kort", 3),
    ("Søke byggetillatelse digitalt", 4),
    ("Byggesøknader på nett i stedet for papir", 4),
    ("Skolebussene kommer for sent", 5),
    ("For få ansatte på nattevakta på sykehjem", 6),
    ("Farlig skolevei uten fotgjengerfelt", 7),
    ("Søppeltømming på hyttene skjer for sjelden", 8),
    ("Flomvarsling til innbyggerne", 9),
    ("Lang ventetid på legevakta", 10),
    ("Lys i parken om kvelden", 11),
    ("Tenestene i heimen kjem for seint til dei eldre", 1),
    ("Snørydding på fortaua", 2),
    ("Legevaktas ventetider i helga er for lange", 10),
    ("Nattevakter på sjukeheimen er for få", 6),
    ("Posten kommer for sent om morgenen", None),
    ("Eldre trenger flere benker i sentrum", None),
    ("Bussen til kulturhuset går for sjelden om kvelden", None),
    ("Parkering ved skolen er for trang om morgenen", None),
    ("Kulturhuset trenger nye stoler", None),
    ("Sykkelparkering ved rådhuset", None),
    ("Bedre mobildekning i fjellet", None),
    ("Gratis kollektivtransport for ungdom", None),
    ("Svømmehallen har for kaldt vann", None),
    ("Flere benker langs turstien", None),
    ("Kommunens nettsider er vanskelige å bruke", None),
    ("Ladestasjoner for elbil i sentrum", None),
]
