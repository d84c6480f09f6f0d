"""Record the workflow histories that ``tests/test_replay.py`` replays against the current code.

    python -m tests.histories.record                    # every case, into tests/histories/
    python -m tests.histories.record certificate_year   # some cases
    python -m tests.histories.record --list
    python -m tests.histories.record --suffix _encrypted   # issue 12: the same paths, payloads encrypted

Each case (``tests/histories/cases.py``) runs the product's real worker on its own time-skipping
server (``stage.py``) through one representative path and writes the histories it keeps as
``tests/histories/<WorkflowType>/<case>.json`` — the format of ``temporal workflow show --output
json`` and of the Web UI's download, so a history from production can be added the same way
(after checking it for personal data). A history that fails the privacy check is not written.
Record a new history whenever a workflow gains a new path; never re-record an old one to make the
replay test pass — that would hide exactly the change that breaks running workflows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

from .cases import CASES
from .privacy import leaks, readable_without_key, without_identities
from .stage import shared_pki, stage

HISTORIES = Path(__file__).parent


async def record(names: list[str], out_dir: Path = HISTORIES, suffix: str = "") -> list[Path]:
    """Run the named cases; returns the files written (``<case><suffix>.json``)."""
    written = []
    with tempfile.TemporaryDirectory(prefix="record-pki-") as scratch:
        pki = shared_pki(Path(scratch))
        for name in names:
            async with stage(name, pki) as on_stage:
                kept = await CASES[name](on_stage)
                people = [on_stage.master.user_id, *on_stage.master.passwords]
                for relative, workflow_id in kept.items():
                    history = without_identities(
                        (await on_stage.client.get_workflow_handle(workflow_id).fetch_history()).to_json_dict())
                    if found := leaks(history, people) + readable_without_key(history, people):
                        raise AssertionError(f"{relative}: not written, it holds {found}")
                    path = out_dir / f"{relative}{suffix}.json"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(json.dumps(history, indent=1) + "\n")
                    written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.histories.record", description=__doc__.split("\n")[0])
    parser.add_argument("cases", nargs="*", metavar="CASE", help="default: every case")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--suffix", default="", help="added to each file name, e.g. _encrypted: a second recording"
                        " of a case whose payloads changed shape, kept beside the first")
    arguments = parser.parse_args(argv)
    if arguments.list:
        print("\n".join(CASES))
        return
    unknown = set(arguments.cases) - set(CASES)
    if unknown:
        parser.error(f"unknown case(s): {', '.join(sorted(unknown))}")
    for path in asyncio.run(record(arguments.cases or list(CASES), suffix=arguments.suffix)):
        print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
