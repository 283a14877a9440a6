"""STR downloads (goAML XML, Japanese CSV/JSON) and the investigation report, each audited."""

from __future__ import annotations

import hashlib

from lxml import etree

from tests.api.conftest import Api


def test_str_goaml_download_is_valid_xml_and_audited(api: Api) -> None:
    c = api.client
    case_id = c.get("/cases?subject_id=C-1001", headers=api.as_("ann")).json()[0]["case_id"]
    r = c.get(f"/cases/{case_id}/str?format=goaml", headers=api.as_("ann"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/xml")
    assert f'filename="str-{case_id}.xml"' in r.headers["content-disposition"]
    root = etree.fromstring(r.content)
    assert root.tag == "report" and root.findtext("report_code") == "STR"
    assert root.findtext("entity_reference") == case_id
    assert r.headers["x-content-sha256"] == hashlib.sha256(r.content).hexdigest()
    csv = c.get(f"/cases/{case_id}/str?format=jp-csv", headers=api.as_("sue"))
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    js = c.get(f"/cases/{case_id}/str?format=jp-json", headers=api.as_("sue")).json()
    assert js["社内管理番号"] == case_id
    events = c.get(f"/audit/events?subject_id={case_id}&action=report.str", headers=api.as_("aud")).json()
    assert [(e["actor"], e["details"]["format"]) for e in events] == [("ann", "goaml"), ("sue", "jp-csv"),
                                                                       ("sue", "jp-json")]
    assert events[0]["details"]["sha256"] == r.headers["x-content-sha256"]
    assert c.get(f"/cases/{case_id}/str?format=pdf", headers=api.as_("ann")).status_code == 422
    assert c.get("/cases/CASE-404/str", headers=api.as_("ann")).status_code == 404


def test_investigation_report_html(api: Api) -> None:
    c = api.client
    case_id = c.get("/cases?subject_id=C-1001", headers=api.as_("ann")).json()[0]["case_id"]
    r = c.get(f"/cases/{case_id}/report", headers=api.as_("aud"))
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html") and case_id in r.text


def test_info_request_package_zip_with_verified_manifest(api: Api) -> None:
    import io
    import json
    import zipfile

    c = api.client
    r = c.post("/reports/info-request", json={"date_from": "2026-11-01", "date_to": "2026-12-01",
                                              "reference": "FSA-2026-117"}, headers=api.as_("sue"))
    assert r.status_code == 200, r.text
    zf = zipfile.ZipFile(io.BytesIO(r.content))
    manifest = json.loads(zf.read("manifest.json"))
    assert manifest["reference"] == "FSA-2026-117" and manifest["requested_by"] == "sue"
    for f in manifest["files"]:
        assert hashlib.sha256(zf.read(f["name"])).hexdigest() == f["sha256"]
    bad = c.post("/reports/info-request", json={"date_from": "2026-12-01", "date_to": "2026-11-01"},
                 headers=api.as_("sue"))
    assert bad.status_code == 422 and "must be after" in bad.json()["error"]
    events = c.get("/audit/events?action=report.info_request", headers=api.as_("aud")).json()
    assert events[0]["actor"] == "sue" and events[0]["details"]["sha256"] == r.headers["x-content-sha256"]
