"""The simulator answers as strictly as App Store Connect: rendering as the recorded bodies show it,
every schema attribute, relationship declarations that match Apple's spec, build processing states."""

from __future__ import annotations

import json

import httpx

from bot.sandbox.asc import AscSimulator
from bot.sandbox.asc.resources import KINDS
from bot.sandbox.asc.schema_attributes import ATTRIBUTES
from bot.sandbox.clock import FakeClock
from tests.sandbox.test_asc_simulator import BUNDLE, body, included
from tests.support import schema_attributes
from tests.support.openapi_conformance import check_exchanges

RECORDED = schema_attributes.ROOT / "tests" / "data" / "recorded" / "fastlane"


def _spec() -> dict:
    return json.loads(schema_attributes.SPEC_PATH.read_text())


def test_schema_attributes_module_is_what_the_spec_says() -> None:
    assert schema_attributes.MODULE_PATH.read_text() == schema_attributes.render(_spec())


def test_declared_relationships_match_the_spec() -> None:
    """Every Rel a Kind declares exists in its schema, with links exactly when the schema has them."""
    schemas = schema_attributes.resource_schemas(_spec())
    problems = []
    for kind in KINDS.values():
        rels = schemas[kind.type]["properties"].get("relationships", {}).get("properties", {})
        for rel in kind.rels:
            spec = rels.get(rel.name)
            if spec is None:
                problems.append(f"{kind.type}.{rel.name} is not in the schema")
                continue
            has_links = "links" in spec.get("properties", {})
            many = spec.get("properties", {}).get("data", {}).get("type") == "array"
            if has_links != rel.links or (rel.get is not None and many != rel.many):
                problems.append(
                    f"{kind.type}.{rel.name}: links {rel.links}/{has_links}, many {rel.many}/{many}"
                )
    assert problems == []


def _shape(resource: dict) -> dict:
    """What of a resource's rendering the rule decides: attribute names, relationship keys."""
    return {
        "attributes": sorted(resource.get("attributes", {})),
        "relationships": {k: sorted(v) for k, v in resource.get("relationships", {}).items()},
    }


async def test_create_answers_carry_links_only_as_recorded(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    """POST answers shaped like fastlane's recorded review_submission_created / _item_created."""
    from tests.sandbox.test_asc_simulator import create_submission, prepared_version, rel

    app_id, _, version_id = await prepared_version(asc_sim, asc, asc_clock)
    sub = body(await create_submission(asc, app_id))["data"]
    recorded = json.loads((RECORDED / "tunes" / "review_submission_created.json").read_text())["data"]
    assert (
        _shape(sub)
        == _shape(recorded)
        == {
            "attributes": ["platform", "state", "submittedDate"],
            "relationships": {"items": ["links"]},
        }
    )
    assert sub["attributes"]["submittedDate"] is None  # null when empty, as recorded
    item_doc = {
        "data": {
            "type": "reviewSubmissionItems",
            "relationships": {
                "reviewSubmission": rel("reviewSubmissions", sub["id"]),
                "appStoreVersion": rel("appStoreVersions", version_id),
            },
        }
    }
    item = body(await asc.post("/v1/reviewSubmissionItems", json=item_doc))["data"]
    recorded = json.loads((RECORDED / "tunes" / "review_submission_item_created.json").read_text())["data"]
    assert _shape(item) == _shape(recorded) == {"attributes": ["state"], "relationships": {}}


async def test_included_resources_and_unasked_relationships_carry_no_data(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    asc_sim.add_app(BUNDLE)
    asc_sim.upload_build(BUNDLE, "1.4.0", "412")
    asc_clock.advance(301)
    plain = body(await asc.get("/v1/builds", params={"limit": "10"}))
    [build] = plain["data"]
    assert all("data" not in r for r in build["relationships"].values())
    assert "buildUpload" not in build["relationships"]  # no links in its schema: shown only when included
    assert set(build["attributes"]) == set(ATTRIBUTES["builds"])
    assert build["attributes"]["lsMinimumSystemVersion"] is None
    asked = body(await asc.get("/v1/builds", params={"include": "preReleaseVersion,betaGroups,buildUpload"}))
    rels = asked["data"][0]["relationships"]
    assert rels["preReleaseVersion"]["data"]["type"] == "preReleaseVersions"
    assert rels["betaGroups"] == {
        **rels["betaGroups"],
        "data": [],
        "meta": {"paging": {"total": 0, "limit": 10}},
    }
    assert rels["buildUpload"]["data"]["type"] == "buildUploads"
    [pre] = included(asked, "preReleaseVersions")
    assert all(set(r) == {"links"} for r in pre["relationships"].values())  # included: links only
    limited = body(await asc.get("/v1/builds", params={"include": "betaGroups", "limit[betaGroups]": "5"}))[
        "data"
    ][0]["relationships"]["betaGroups"]
    assert limited["meta"]["paging"]["limit"] == 5
    assert check_exchanges(asc_sim.exchanges) == []


async def test_every_processing_state_is_served_and_processing_exception_stands_alone(
    asc_sim: AscSimulator, asc: httpx.AsyncClient, asc_clock: FakeClock
) -> None:
    asc_sim.add_app(BUNDLE)
    for number, outcome in (("1", "VALID"), ("2", "INVALID"), ("3", "FAILED"), ("4", "PROCESSING_EXCEPTION")):
        asc_sim.upload_build(BUNDLE, "1.4.0", number, outcome=outcome)
    asc_clock.advance(301)
    asc_sim.upload_build(BUNDLE, "1.4.0", "5", processing_time=3600)
    asc_clock.advance(31)

    async def numbers(states: str) -> list[str]:
        params = {"filter[processingState]": states, "sort": "version", "include": "buildBetaDetail"}
        return [b["attributes"]["version"] for b in body(await asc.get("/v1/builds", params=params))["data"]]

    assert await numbers("PROCESSING") == ["5"]
    assert await numbers("FAILED") == ["3"]
    assert await numbers("INVALID") == ["2"]
    assert await numbers("VALID") == ["1", "4"]  # PROCESSING_EXCEPTION is not a processingState
    assert await numbers("FAILED,INVALID") == ["2", "3"]
    assert await numbers("PROCESSING,FAILED,INVALID,VALID") == ["1", "2", "3", "4", "5"]
    doc = body(await asc.get("/v1/builds", params={"filter[version]": "4", "include": "buildBetaDetail"}))
    [detail] = included(doc, "buildBetaDetails")
    assert doc["data"][0]["attributes"]["processingState"] == "VALID"
    assert detail["attributes"]["internalBuildState"] == "PROCESSING_EXCEPTION"
    assert detail["attributes"]["externalBuildState"] == "PROCESSING_EXCEPTION"
    build_1 = asc_sim.build_id_for(BUNDLE, "1.4.0", "1")
    assert build_1 is not None
    asc_sim.fail_beta_processing(build_1)  # after it was ready
    assert asc_sim.beta_states(build_1) == ("PROCESSING_EXCEPTION", "PROCESSING_EXCEPTION")
    assert check_exchanges(asc_sim.exchanges) == []
