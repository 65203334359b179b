"""The bundled dataset against the source documents it was transcribed from.

The five seed documents are read from their archived copies in the package
(`datapackage/sources/`, personal data replaced by markers), so the test runs in a fresh clone.
For every cluster, initiative, region and organisation name the test holds, exactly as the
sources write it: (a) the name occurs in the seed document it is attributed to, and in the
document the dataset's own row cites; (b) the name occurs exactly once across the name and
other-name columns of its table, and a spelling that differs only in case ("Paper province" /
"Paper Province") belongs to the same row. Names taken from web pages (cited by url, not
archived) must occur in the row's quote of that page. Also: every source_id resolves, every seed
has a sources row with its archive, and no cell and no archived text carries an e-mail address,
a phone number or a person's name.

Reads the CSV files with the csv module only, so it checks the data, not the engine.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from fixtures.personal_data import EMAIL, PHONE, personal_data, persons

PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"
DATA = PACKAGE / "data"
ARCHIVE = PACKAGE / "sources"


def _norm(text: str) -> str:
    """Casefold and collapse whitespace (the seeds use no-break spaces in places)."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip().casefold()


def _occurs(name: str, text: str, whole_word: bool = True) -> bool:
    needle = re.escape(_norm(name))
    pattern = rf"(?<!\w){needle}(?!\w)" if whole_word else needle
    return re.search(pattern, text) is not None


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    """{seed file name: normalised archived text} for the sources transcribed from a seed."""
    texts = {
        r["file"]: _norm((PACKAGE / r["archive"]).read_text(encoding="utf-8"))
        for r in _read("sources")
        if r["file"]
    }
    assert len(texts) == 5, f"expected the five archived seed documents, found {len(texts)}"
    return texts


def _read(table: str) -> list[dict[str, str]]:
    with (DATA / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


TABLES = sorted(p.stem for p in DATA.glob("*.csv"))


def _seed_file(seeds: dict[str, str], prefix: str) -> str:
    [name] = [n for n in seeds if n.startswith(prefix + "_")]
    return name


# (name as written in the source, seed number it is attributed to)
CLUSTER_NAMES = [
    ("Skogstekniska klustret", "000"),
    ("Georange", "000"),
    ("Process IT", "000"),
    ("Virtuella klustret om kreativa näringar", "000"),
    ("The Paper Province", "001"),
    ("The Packaging Arena", "001"),
    ("Stål & Verkstad", "001"),
    ("Compare", "001"),
    ("Compare", "004"),
    ("Urban ICT Arena", "002"),
    ("Urban ICT Arena", "003"),
    ("Byggdialog Dalarna", "004"),
    ("Dala sports academy", "004"),
    ("Fiber optic valley", "004"),
    ("FindIT", "004"),
    ("Future position X", "004"),
    ("Glava energy center", "004"),
    ("High voltage valley", "004"),
    ("ITS Dalarna", "004"),
    ("IUC stål och verkstad", "004"),
    ("Paper province", "004"),
    ("Triple steelix 2.0", "004"),
    ("Visit Dalarna", "004"),
    ("Visit Värmland", "004"),
]

TVV, ECCP = "tillvaxtverket-klusterprogram", "eccp-s3-cluster-pilot"
VINNOVA, TECHTANK = "vinnova-vinnvaxt", "techtank-clusters-of-sweden"
SKANE, ETN = "region-skane-klusterutvecklingsprogram", "etn-vinnvaxt-tre-vinnare"

# (name as written on a web page, the sources.id of that page): the S3 pilot's 22 clusters as
# Tillväxtverket lists them, and the spellings the European Cluster Collaboration Platform uses
WEB_CLUSTER_NAMES = [
    ("Mobile Heights", TVV),
    ("IUC Skåne", TVV),
    ("TechTank", TVV),
    ("Techtank", ECCP),
    ("Interior Cluster", TVV),
    ("Automation Småland", TVV),
    ("Smart Textiles", TVV),
    ("Agro Väst", TVV),
    ("Mjärdevi science park", TVV),
    ("IoT World", ECCP),
    ("Aerospace Cluster", TVV),
    ("Urban ICT Arena", TVV),
    ("Tillverkningstekniskt centrum", TVV),
    ("Paper Province", TVV),
    ("Automation Region", TVV),
    ("Järnvägsklustret", TVV),
    ("Triple Steelix", TVV),
    ("Fiber Optic Valley", TVV),
    ("Entreprenörsdrivet Företagsnav", TVV),
    ("Bron Innovation", TVV),
    ("Datacenter", TVV),
    # other names and other programme lists, each with the page that states it
    ("Järnvägsklustret i Västerås", "swerig-jarnvagsklustret"),
    ("The Railway Cluster in Västerås", "swerig-jarnvagsklustret"),
    ("TTC", "ttc-s3-piloten"),
    # other names of existing clusters, each in the quote of the page that uses it (data4)
    ("ProcessIT Innovations", "umu-processit-2004"),
    ("Innovatum Science Park", "grontsamhallsbyggande-innovatum"),
    ("Swedish Maritime Technology Forum", "eccp-smtf"),
    ("SMTF", "eccp-smtf"),
    ("ITSdalarna", "itsdalarna-foreningen"),
    ("Forum för Industriell IT", "findit-historia"),
    ("IUC Stål & Verkstad", "iucstalverkstad-varmlandsresa"),
    ("Agroväst", "ekoweb-agrovast"),
    ("The Paper Province ekonomisk förening", "eccp-paper-province"),
    ("Stiftelsen Compare Karlstad", "compare-15-ar"),
    ("Interior Cluster Sweden", "interiorcluster-projekt"),
    ("Svenska Möbelklustret", "tmf-svenska-mobelklustret"),
    ("Moving Media Southern Sweden", "mediaevolution-archive"),
    ("Vreta Kluster AB", "vretakluster-historik"),
    ("Medicon Valley Academy", "mva-history"),
    ("InfoCom", "docslib-fibre-optic-valley"),
    ("Fibre Optic Valley", "docslib-fibre-optic-valley"),
    ("Science Park Mjärdevi", "linkopingsciencepark-namnbyte"),
    ("Linköping Science Park", "linkopingsciencepark-namnbyte"),
    ("Skånes Livsmedelsakademi", "livsmedelsakademin-2010"),
    ("Bron", "sundsvall42-verksamhet"),
    ("HVV", "intelligentlogistik-hvv"),
    ("MVA", "naringsliv-mva-uniqueness"),
    ("ACS", "aerospace-bakgrund"),
    ("RRA", "docslib-rra"),
    ("IUC Syd", SKANE),
    ("Media Evolution", SKANE),
    ("Packbridge", SKANE),
    ("Livsmedelsakademin", SKANE),
    ("Resilient Regions Association", SKANE),
    ("Sustainable Business Hub", SKANE),
    ("Medicon Valley Alliance", SKANE),
    ("Svenskt Marintekniskt Forum", SKANE),
    ("Besöksnäringskluster", SKANE),
    ("Vreta Kluster", "naringsliv-vreta-kluster"),
    ("STUNS Life science", "stuns-life-science-projekt"),
    ("Uppsala BIO", "stuns-life-science-projekt"),
    ("Microwave Road", "etn-vinnvaxt-fem-vinnare"),
    ("Telematics Valley", "etn-vinnvaxt-fem-vinnare"),
    ("Innovatum", "etn-vinnvaxt-fem-vinnare"),
    ("Open Arena Lindholmen", "etn-vinnvaxt-fem-vinnare"),
    ("Aerospace Cluster Sweden", "automation-smaland-esca"),
    # green clusters (regional competence centres for the green industries)
    ("Agro Sörmland", "landsbygdsnatverket-agro-sormland"),
    ("Agro Örebro", "landsbygdsnatverket-agro-sormland"),
    ("Agro Västmanland", "landsbygdsnatverket-agro-sormland"),
    ("Gotland Grönt Centrum", "landsbygdsnatverket-gotland-gront-centrum"),
    ("Hälsoteknikcentrum Halland", "naringsliv-halsoteknikcentrum-halland"),
    ("HCH", "naringsliv-halsoteknikcentrum-halland"),
    ("Peak Innovation", "regionjh-fler-kluster"),
    # national coverage: the clusters of the counties that had few or none
    ("Processum", "nordregio-ornskoldsvik-biorefinery-cluster"),
    ("SP Processum", "nordregio-ornskoldsvik-biorefinery-cluster"),
    ("BioBusiness Arena", "akroken-design-i-vasternorrland"),
    ("Bio Business Arena", "industrinyheter-vasternorrland-kraftsamlar"),
    ("Design i Västernorrland", "akroken-design-i-vasternorrland"),
    ("Visual Sweden", "affarsstaden-visual-sweden"),
    ("Energiriket", "naringsliv-energiriket"),
    ("Grönt kluster", "lrf-jonkoping-gront-kluster"),
    ("Tunga fordonsklustret", "tungafordon-klusterinitiativ"),
    ("The Heavy Vehicle Cluster", "tungafordon-cluster-initiative"),
    ("NetPort Energikluster", "klimatsynk-netport-energikluster"),
    ("Kista Science City", "kista-about"),
    ("Maritima klustret i Västsverige", "maritimaklustret-about"),
    ("The Maritime Cluster of West Sweden", "maritimaklustret-about"),
    ("Västsvenska Kemi- och Materialklustret", "klimatsynk-vastsvenska-kemi"),
    ("E-commerce-cluster", "bearing-kalmar-e-commerce"),
    ("Light Weight Production Technology", "science-park-halmstad-lwpt"),
    ("Sörmlands Matkluster", "matkluster-om-oss"),
    ("Sörmlands Matkluster Ekonomisk Förening", "matkluster-om-oss"),
    ("Tillväxtklustret Norduppland", "tierp-tillvaxtklustret-norduppland"),
    ("Training Regions", "docplayer-skanska-klusterinitiativ"),
    ("Information Engineering Center", "naringsliv-iec-linneregionen"),
    ("IEC", "naringsliv-iec-linneregionen"),
    ("Stockholm Life Solna Stockholm", "ssci-stockholm-life"),
    ("Stockholm Life Solna-Stockholm", "ssci-stockholm-life"),
    ("TelecomCity", "naringsliv-blue-science-park"),
]

WEB_INITIATIVE_NAMES = [
    ("VINNVÄXT", VINNOVA),
    ("Smart Housing Småland", "tracentrum-smart-housing-smaland"),
    ("Paper Province 2.0", "paperprovince-universitetet"),
    ("Geo-Life Region, FPX", VINNOVA),
    ("Clusters of Sweden", TECHTANK),
    ("Regionalt klusterutvecklingsprogram 2017–2021", SKANE),
    ("Clusters of Skåne", "livsmedelsakademin-clusters-of-skane"),
    ("Robotdalen", ETN),
    ("Uppsala Bio", ETN),
    ("Innovation i Gränsland", ETN),
    ("Process IT Innovation", "etn-vinnvaxt-fem-vinnare"),
    ("Biomedicinsk utveckling i Västsverige", "etn-vinnvaxt-fem-vinnare"),
    ("Livets Nya Verktyg", "etn-vinnvaxt-fem-vinnare"),
    ("Framtidens Bioraffinaderi", "vinnova-regionala-innovationsmiljoer-2017"),
    ("Logistikkluster Region Östergötland", "tillvaxtverket-logistikkluster-ostergotland"),
    ("eHealth Arena", "ehealtharena-tre-forsta-aren"),
    ("Hållbara Gotland", "tillvaxtverket-hallbara-gotland"),
    ("Munktell Science Park", "naringsliv-eskilstuna"),
    ("Autocom Region", "etn-vinnvaxt-fem-vinnare"),
    ("Arena Grön Tillväxt", "hushallningssallskapet-arena-gron-tillvaxt"),
    ("Hälsoteknikcentrum Halland", "hh-halsoteknikcentrum-halland"),
    ("Printed Electronics Arena", "evertiq-vinnvaxt-2008"),
    ("Peak of Tech Adventure", "evertiq-vinnvaxt-2008"),
    ("Urban Magma", "thebridge-guardians-of-sustainability"),
]

INITIATIVE_NAMES = [
    ("Superklustra", "000"),
    ("Landshövdingen samtalar", "000"),
    ("Regionala dialogmötet", "000"),
    ("Smart specialisering", "000"),
    ("smart specialisation", "000"),
    ("Horizon 2020", "000"),
    ("Cohesion policy", "000"),
    ("Regeringens innovationsstrategi", "001"),
    ("Nationella klusterkonferensen", "001"),
    ("SLIM", "001"),
    ("Systemledning för innovativa miljöer och klusterprocesser i Norra Mellansverige", "001"),
    ("GROW your REGIOn", "002"),
    ("GROW your REGIOn: Boosting Smart Interregional Collaboration through Clusters", "002"),
    ("S3-plattformen", "002"),
    ("Key Enabling Technologies", "002"),
    ("KET", "002"),
    ("Beyond", "002"),
    ("EdTech hub", "002"),
    ("S3-pilot", "002"),
    ("S3-pilot", "003"),
    ("Tillväxt Sthlm", "002"),
    ("STHLM GLOBAL", "002"),
    ("Regional exportsamverkan i Stockholms län", "002"),
    ("Södertälje Science Park", "002"),
    ("Interreg Europe", "002"),
    ("HIGHER", "002"),
    ("HIGHER", "003"),
    ("Innovation Summit", "002"),
    ("Innovation Summit", "003"),
    ("Nationella konferensen om smart specialisering", "003"),
    ("Innovationskraft Sthlm", "003"),
    ("En smart innovationsstrategi för Stockholm", "003"),
    ("EU-handslaget", "003"),
    ("Stockholmsregionens Europadag", "003"),
    ("Konferens i Stockholm", "003"),
    ("EUBSR", "003"),
    ("Nationella regionalfondsprogrammet", "003"),
]

# (name, seed, level of the region it names, whole-word match)
REGION_NAMES = [
    ("Sverige", "001", "country", True),
    ("Norra Mellansverige", "001", "nuts2", True),
    ("Norra Mellansverige", "004", "nuts2", True),
    ("Västerbottens län", "000", "county", True),
    ("Västerbotten", "000", "county", True),
    ("Värmland", "001", "county", True),
    ("värmlandsregionen", "004", "county", True),
    ("Dalarna", "001", "county", True),
    ("Gävleborg", "001", "county", True),
    ("Stockholms län", "002", "county", True),
    ("Stockholmsregionen", "002", "county", True),
    ("Umeå", "000", "municipality", True),
    ("Skellefteå", "000", "municipality", True),
    ("Gävle", "001", "municipality", True),
    ("Karlstad", "001", "municipality", False),  # only inside "Karlstads universitet"
    ("Stockholm", "002", "municipality", True),
    ("Nacka", "002", "municipality", True),
    ("Södertälje", "002", "municipality", True),
    ("Luleå", "003", "municipality", True),
    ("Sandviken", "004", "municipality", True),
    ("Portugal", "002", "foreign_country", True),
    ("Italien", "002", "foreign_country", True),
    ("Spanien", "002", "foreign_country", True),
    ("Grekland", "002", "foreign_country", True),
    ("Slovenien", "002", "foreign_country", True),
    ("Litauen", "002", "foreign_country", True),
    ("Storbritannien", "003", "foreign_country", True),
    ("England", "002", "foreign_region", True),
    ("Valencia", "002", "foreign_region", True),
    ("Sevilla", "002", "foreign_region", True),
]

ORGANISATION_NAMES = [
    ("Näringsdepartementet", "001"),
    ("VINNOVA", "000"),
    ("EU-kommissionen", "000"),
    ("Regeringen", "001"),
    ("Tillväxtverket", "001"),
    ("Region Värmland", "001"),
    ("Karlstads universitet", "001"),
    ("DG Growth", "002"),
    ("DG Regio", "002"),
    ("Nordregio", "002"),
    ("Almi Stockholm", "002"),
    ("Strukturfondspartnerskapet i Stockholm", "002"),
    ("Nordiska Ministerrådet", "003"),
    ("Stockholmsregionens Europaförening", "003"),
    ("Region Dalarna", "004"),
]


def _name_cells(
    table: str, names_table: str | None, fk: str | None, level: str | None = None
) -> list[tuple[str, str, str, str]]:
    """(owner id, name, source_id, quote) of every name cell of a table and its other names."""
    rows = _read(table)
    keep = {r["id"] for r in rows if level is None or r.get("level") == level}
    cells = [
        (r["id"], r["name"], r["source_id"], r.get("quote", "")) for r in rows if r["id"] in keep
    ]
    if names_table:
        cells += [
            (r[fk], r["name"], r["source_id"], r.get("quote", ""))
            for r in _read(names_table)
            if r[fk] in keep
        ]
    return cells


def _source_files() -> dict[str, str]:
    return {r["id"]: r["file"] for r in _read("sources")}


def _present_once(name: str, cells: list[tuple[str, str, str, str]]) -> tuple[str, str, str, str]:
    """The one cell holding `name`; spellings differing only in case must belong to its row."""
    hits = [c for c in cells if c[1] == name]
    assert len(hits) == 1, f"{name!r} is present {len(hits)} times, expected exactly once"
    owners = {c[0] for c in cells if c[1].casefold() == name.casefold()}
    assert owners == {hits[0][0]}, f"{name!r} is spelt alike by rows {sorted(owners)}"
    return hits[0]


def _check(
    seeds: dict[str, str],
    name: str,
    seed: str,
    cells: list[tuple[str, str, str, str]],
    whole_word: bool = True,
) -> None:
    assert _occurs(name, seeds[_seed_file(seeds, seed)], whole_word), (
        f"{name!r} does not occur in seed {seed}"
    )
    hit = _present_once(name, cells)
    cited = _source_files()[hit[2]]
    if cited:  # rows citing a seed: the name must be in that seed too
        assert _occurs(name, seeds[cited], whole_word), (
            f"{name!r} is attributed to {cited}, which does not contain it"
        )


@pytest.mark.parametrize(("name", "seed"), CLUSTER_NAMES)
def test_cluster_name_is_sourced_and_present_once(seeds, name, seed):
    _check(seeds, name, seed, _name_cells("clusters", "cluster_names", "cluster_id"))


@pytest.mark.parametrize(("name", "seed"), INITIATIVE_NAMES)
def test_initiative_name_is_sourced_and_present_once(seeds, name, seed):
    _check(seeds, name, seed, _name_cells("initiatives", "initiative_names", "initiative_id"))


@pytest.mark.parametrize(("name", "seed", "level", "whole_word"), REGION_NAMES)
def test_region_name_is_sourced_and_present_once(seeds, name, seed, level, whole_word):
    cells = _name_cells("regions", "region_names", "region_id", level)
    _check(seeds, name, seed, cells, whole_word)


@pytest.mark.parametrize(("name", "seed"), ORGANISATION_NAMES)
def test_organisation_name_is_sourced_and_present_once(seeds, name, seed):
    _check(seeds, name, seed, _name_cells("organisations", None, None))


@pytest.mark.parametrize(
    ("table", "names_table", "fk", "held"),
    [
        ("clusters", "cluster_names", "cluster_id", CLUSTER_NAMES + WEB_CLUSTER_NAMES),
        (
            "initiatives",
            "initiative_names",
            "initiative_id",
            INITIATIVE_NAMES + WEB_INITIATIVE_NAMES,
        ),
    ],
)
def test_every_modelled_name_is_in_the_list(table, names_table, fk, held):
    """The lists are complete: a new cluster or initiative name needs its source here."""
    modelled = {c[1] for c in _name_cells(table, names_table, fk)}
    assert modelled == {n for n, _ in held}


@pytest.mark.parametrize(("name", "source_id"), WEB_CLUSTER_NAMES)
def test_cluster_name_from_a_web_page_is_in_the_quote_of_that_page(name, source_id):
    _, _, cited, quote = _present_once(name, _name_cells("clusters", "cluster_names", "cluster_id"))
    assert cited == source_id
    assert _occurs(name, _norm(quote)), f"{name!r} is not in its quote {quote!r}"


@pytest.mark.parametrize(("name", "source_id"), WEB_INITIATIVE_NAMES)
def test_initiative_name_from_a_web_page_is_in_the_quote_of_that_page(name, source_id):
    cells = _name_cells("initiatives", "initiative_names", "initiative_id")
    _, _, cited, quote = _present_once(name, cells)
    assert cited == source_id
    assert _occurs(name, _norm(quote)), f"{name!r} is not in its quote {quote!r}"


def test_every_region_name_form_is_in_the_list():
    held = {n.casefold() for n, *_ in REGION_NAMES}
    assert {r["name"].casefold() for r in _read("region_names")} <= held


def test_every_source_id_resolves():
    ids = {r["id"] for r in _read("sources")}
    dangling = [
        (table, line, row["source_id"])
        for table in TABLES
        if table != "sources"
        for line, row in enumerate(_read(table), start=2)
        if row.get("source_id") not in ids
    ]
    assert dangling == []
    assert all("source_id" in _read(t)[0] for t in TABLES if t != "sources" and _read(t))


def test_every_seed_has_a_sources_row_with_its_archive(seeds):
    rows = [r for r in _read("sources") if r["file"]]
    assert {r["file"] for r in rows} == set(seeds)
    assert all(r["archive"] == f"sources/{r['id']}.txt" and r["sha256"] for r in rows)


def test_every_archived_text_has_a_sources_row():
    archived = {f"sources/{p.name}" for p in ARCHIVE.glob("*")}
    assert archived == {r["archive"] for r in _read("sources") if r["archive"]}


def test_the_personal_data_patterns_catch_the_shapes_the_seeds_use():
    """Shapes as in the seeds, with made-up digits and address."""
    assert PHONE.search("Mobil: 070-123 45 67")
    assert PHONE.search("0701234567")
    assert PHONE.search("+46 70-123 45 67")
    assert EMAIL.search("fornamn.efternamn@example.se")
    assert not PHONE.search("2018-06-04 0180 60000 SE110")


def test_a_person_is_found_by_digest_by_full_name_and_by_surname():
    """The persons are kept as digests; a name is found whole-word, across case and spacing."""
    digest_of = "sven-erik österberg"
    assert digest_of in persons("Landshövding SVEN-ERIK\u00a0Österberg talade.")
    assert "österberg" in persons("Enligt Österberg.")
    assert persons("Österbergsgatan 3") == []


@pytest.mark.parametrize("path", sorted(ARCHIVE.glob("*")), ids=lambda p: p.name)
def test_no_personal_data_in_the_archived_sources(path):
    assert personal_data(path.read_text(encoding="utf-8")) == []


def test_a_digest_that_looks_like_a_phone_number_is_not_personal_data():
    digest = "0749056083a68c55df30ac8add7c1e" + "0" * 34
    assert personal_data(f'"hash": "sha256:{digest}"') == []
    assert personal_data(f'"hash": "sha256:{digest}", ring 0749056083') == ["0749056083"]


def test_the_archive_keeps_markers_where_personal_data_was():
    text = (ARCHIVE / "goda-exempel-fran-varmland.txt").read_text(encoding="utf-8")
    assert "Mobil: [telefon borttaget]" in text
    assert "[namn borttaget]" in text


@pytest.mark.parametrize("table", TABLES)
def test_no_personal_data(table):
    found = []
    for line, row in enumerate(_read(table), start=2):
        for column, cell in row.items():
            found.extend((line, column, hit) for hit in personal_data(cell))
    assert found == []
