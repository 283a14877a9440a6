"""Shared fixtures for the lists tests: the full SDN file parsed once, and a store holding it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.lists import ParsedList, parse_file, store_parsed

SDN = "sanctions/us_ofac/advanced_xml/sdn_advanced_2025-11-19.xml.bz2"


@pytest.fixture(scope="session")
def sdn_parsed(shared_data: Path) -> ParsedList:
    """The full OFAC SDN_ADVANCED 2025-11-19 file, parsed once per test session (~10 s)."""
    return parse_file(shared_data / SDN)


@pytest.fixture(scope="session")
def sdn_store(sdn_parsed: ParsedList, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckDBEngine]:
    """A database holding the full SDN as snapshot 1 (read-only for tests)."""
    engine = DuckDBEngine(tmp_path_factory.mktemp("sdn") / "sdn.duckdb")
    store_parsed(engine, [sdn_parsed])
    yield engine
    engine.close()


OLD_NS_ADVANCED = """<?xml version="1.0" encoding="utf-8"?>
<Sanctions xmlns="{ns}">
  <DateOfIssue><Year>2018</Year><Month>3</Month><Day>9</Day></DateOfIssue>
  <ReferenceValueSets>
    <AliasTypeValues><AliasType ID="1400">A.K.A.</AliasType><AliasType ID="1403">Name</AliasType></AliasTypeValues>
    <CountryValues><Country ID="11143" ISO2="RU">Russia</Country></CountryValues>
    <FeatureTypeValues>
      <FeatureType ID="8">Birthdate</FeatureType>
      <FeatureType ID="10">Nationality Country</FeatureType>
      <FeatureType ID="344">Digital Currency Address - XBT</FeatureType>
    </FeatureTypeValues>
    <PartySubTypeValues><PartySubType ID="4" PartyTypeID="1">Unknown</PartySubType>
      <PartySubType ID="3" PartyTypeID="2">Unknown</PartySubType></PartySubTypeValues>
    <PartyTypeValues><PartyType ID="1">Individual</PartyType><PartyType ID="2">Entity</PartyType></PartyTypeValues>
    <RelationTypeValues><RelationType ID="15003">Owned or Controlled By</RelationType></RelationTypeValues>
    <SanctionsTypeValues><SanctionsType ID="1">Program</SanctionsType></SanctionsTypeValues>
  </ReferenceValueSets>
  <Locations><Location ID="7"><LocationCountry CountryID="11143" /></Location></Locations>
  <IDRegDocuments />
  <DistinctParties>
    <DistinctParty FixedRef="900">
      <Profile ID="900" PartySubTypeID="4">
        <Identity ID="1" FixedRef="900" Primary="true">
          <Alias AliasTypeID="1403" Primary="true" LowQuality="false">
            <DocumentedName ID="1"><DocumentedNamePart><NamePartValue>IVANOV</NamePartValue></DocumentedNamePart>
              <DocumentedNamePart><NamePartValue>Ivan</NamePartValue></DocumentedNamePart></DocumentedName>
            <DocumentedName ID="2"><DocumentedNamePart><NamePartValue>ИВАНОВ</NamePartValue></DocumentedNamePart>
              <DocumentedNamePart><NamePartValue>Иван</NamePartValue></DocumentedNamePart></DocumentedName>
          </Alias>
          <Alias AliasTypeID="1400" Primary="false" LowQuality="true">
            <DocumentedName ID="3"><DocumentedNamePart><NamePartValue>VANYA</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
        </Identity>
        <Feature ID="1" FeatureTypeID="8"><FeatureVersion ID="1"><DatePeriod>
          <Start><From><Year>1970</Year><Month>1</Month><Day>1</Day></From></Start>
          <End><To><Year>1971</Year><Month>12</Month><Day>31</Day></To></End></DatePeriod></FeatureVersion></Feature>
        <Feature ID="2" FeatureTypeID="10"><FeatureVersion ID="2"><VersionLocation LocationID="7" />
          </FeatureVersion></Feature>
        <Feature ID="3" FeatureTypeID="344"><FeatureVersion ID="3">
          <VersionDetail DetailTypeID="1432">bc1qexampleaddress</VersionDetail></FeatureVersion></Feature>
      </Profile>
    </DistinctParty>
    <DistinctParty FixedRef="901">
      <Profile ID="901" PartySubTypeID="3">
        <Identity ID="2" FixedRef="901" Primary="true">
          <Alias AliasTypeID="1403" Primary="true" LowQuality="false">
            <DocumentedName ID="4"><DocumentedNamePart><NamePartValue>OOO ROMASHKA</NamePartValue>
            </DocumentedNamePart></DocumentedName>
          </Alias>
        </Identity>
      </Profile>
    </DistinctParty>
  </DistinctParties>
  <ProfileRelationships>
    <ProfileRelationship ID="1" From-ProfileID="901" To-ProfileID="900" RelationTypeID="15003" Former="false" />
  </ProfileRelationships>
  <SanctionsEntries>
    <SanctionsEntry ID="900" ProfileID="900" ListID="1550">
      <EntryEvent ID="1"><Date><Year>2022</Year><Month>2</Month><Day>24</Day></Date></EntryEvent>
      <SanctionsMeasure ID="1" SanctionsTypeID="1"><Comment>RUSSIA-EO14024</Comment></SanctionsMeasure>
    </SanctionsEntry>
  </SanctionsEntries>
</Sanctions>
"""


def write_advanced(path: Path, ns: str = "http://www.un.org/sanctions/1.0") -> Path:
    path.write_text(OLD_NS_ADVANCED.format(ns=ns), encoding="utf-8")
    return path
