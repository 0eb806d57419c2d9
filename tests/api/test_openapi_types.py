"""The web UI's TypeScript types are the OpenAPI document's: `webui/src/api/schema.d.ts` is what
`openapi-typescript` makes of the document today, and `webui/src/types.ts` takes its API shapes
from it. When a shape changes in `powerpulse.api.schemas`, these fail until `npm run gen:api`.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from tests.api.conftest import Client

ROOT = Path(__file__).resolve().parents[2]
DUMP = ROOT / "scripts" / "openapi_dump.py"
GENERATE = ROOT / "scripts" / "gen-api-types.sh"
COMMITTED = ROOT / "webui" / "src" / "api" / "schema.d.ts"
TYPES_TS = ROOT / "webui" / "src" / "types.ts"
REGENERATE = "run `npm run gen:api` in webui/ (scripts/gen-api-types.sh) and commit the result"


def _dump_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("openapi_dump", DUMP)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dumped() -> str:
    done = subprocess.run(
        [sys.executable, str(DUMP)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


async def test_the_offline_dump_is_the_served_document(client: Client) -> None:
    status, served, _ = await client.get("/docs/openapi.json")
    assert status == 200
    dumped = _dumped()
    assert json.loads(dumped) == _dump_module().canonical(served)
    assert dumped == _dumped(), "two dumps of the same code differ"


def test_the_committed_types_are_generated_from_the_document(tmp_path: Path) -> None:
    fresh = tmp_path / "schema.d.ts"
    done = subprocess.run(
        ["sh", str(GENERATE), str(fresh)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"generation failed (npm ci in webui/?):\n{done.stderr[-3000:]}"
    assert COMMITTED.exists(), f"{COMMITTED} is missing: {REGENERATE}"
    assert fresh.read_text() == COMMITTED.read_text(), f"schema.d.ts is out of date: {REGENERATE}"


def test_types_ts_takes_its_api_shapes_from_the_document() -> None:
    shapes = set(json.loads(_dumped())["components"]["schemas"])
    text = TYPES_TS.read_text()
    named = set(re.findall(r"Schemas\['(\w+)'\]", text))
    assert {"Ups", "KioskUps", "User", "NutServer", "UserSettings", "StatusModel"} <= named
    assert named <= shapes, f"types.ts names shapes the API does not declare: {named - shapes}"
    # The API's shapes come from the document, not from hand-written interfaces.
    handwritten = set(re.findall(r"^export interface (\w+)", text, re.MULTILINE))
    assert handwritten <= {"NutServerInput"}, handwritten
