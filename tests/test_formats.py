"""The format registry (kg.formats): one table, and every engine we hand a format to knows it."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.plugin import Parser, Serializer, get

from kg import formats
from kg.sources import RDF_FORMATS


@pytest.mark.parametrize("fmt", formats.RDF_FILES, ids=lambda f: f.name)
def test_every_rdf_format_is_known_to_oxigraph_by_its_media_type(fmt: formats.Format) -> None:
    assert ox.RdfFormat.from_media_type(fmt.media_type) is not None


@pytest.mark.parametrize("fmt", formats.RESULTS_FORMATS, ids=lambda f: f.name)
def test_every_results_format_is_known_to_oxigraph(fmt: formats.Format) -> None:
    assert ox.QueryResultsFormat.from_media_type(fmt.media_type) is not None


@pytest.mark.parametrize("fmt", formats.RDF_FILES, ids=lambda f: f.name)
def test_every_rdf_format_has_an_rdflib_parser(fmt: formats.Format) -> None:
    assert get(fmt.rdflib, Parser)


@pytest.mark.parametrize("fmt", formats.DESCRIPTION_FORMATS, ids=lambda f: f.name)
def test_every_description_format_has_an_rdflib_serialiser(fmt: formats.Format) -> None:
    assert get(fmt.rdflib, Serializer)
    assert Graph().serialize(format=fmt.rdflib) is not None


def test_every_suffix_sources_read_is_in_the_registry() -> None:
    assert {s: f.rdflib for f in formats.RDF_FILES for s in f.suffixes} == RDF_FORMATS


def test_by_suffix_ignores_case_and_refuses_the_unknown() -> None:
    assert formats.by_suffix(".TTL") is formats.TURTLE
    assert formats.by_suffix(".docx") is None


def test_by_media_type_reads_aliases_and_ignores_parameters() -> None:
    found = formats.by_media_type("application/x-turtle; charset=utf-8", formats.GRAPH_FORMATS)
    assert found is formats.TURTLE


def test_names_are_unique_within_each_table() -> None:
    for table in (formats.GRAPH_FORMATS, formats.RESULTS_FORMATS, formats.DESCRIPTION_FORMATS):
        names = [name for fmt in table for name in fmt.names]
        assert len(names) == len(set(names))


def test_every_format_iri_is_in_the_w3c_namespace() -> None:
    for fmt in (*formats.GRAPH_FORMATS, *formats.RESULTS_FORMATS):
        assert fmt.iri.startswith("http://www.w3.org/ns/formats/") and fmt.iri_name
