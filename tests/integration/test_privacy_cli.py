"""`omotenashi privacy`: notice, export, erase and rights requests from the command line, on both stores."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from omotenashi.cli.main import app


def _run(args: list[str], store_url: str, **kw: object):
    result = CliRunner().invoke(app, args, env={"OMOTENASHI__STORE_URL": store_url}, **kw)
    return result


def _feed(house: Path, store_url: str, tmp_path: Path) -> None:
    lines = [
        {
            "type": "identify",
            "userId": "u-1",
            "anonymousId": "a-1",
            "traits": {"email": "eve@example.com", "name": "Eve"},
        },
        {"type": "track", "userId": "u-1", "event": "Order Completed", "properties": {"revenue": 5}},
        {"type": "identify", "userId": "u-2", "traits": {"email": "fay@example.com"}},
    ]
    file = tmp_path / "in.jsonl"
    file.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = _run(["import", str(file), "--source", "web", "-c", str(house)], store_url)
    assert result.exit_code == 0, result.output


def test_requests_received_by_phone_are_tracked_and_completed(tmp_path: Path, store_url: str, house_file: Path):
    _feed(house_file, store_url, tmp_path)
    added = _run(
        [
            "privacy",
            "request",
            "add",
            "--kind",
            "erase",
            "--identity",
            "email:EVE@example.com",
            "--via",
            "phone",
            "-c",
            str(house_file),
        ],
        store_url,
    )
    assert added.exit_code == 0, added.output
    request_id = added.output.split()[0]
    assert "due" in added.output
    early = _run(["privacy", "request", "complete", request_id, "-c", str(house_file)], store_url)
    assert early.exit_code != 0 and "verify" in early.output
    assert _run(["privacy", "request", "verify", request_id, "-c", str(house_file)], store_url).exit_code == 0
    done = _run(["privacy", "request", "complete", request_id, "-c", str(house_file)], store_url)
    assert done.exit_code == 0, done.output
    receipt = json.loads(done.output)
    assert receipt["request"] == request_id and receipt["removed"]["events"] == 2
    listed = json.loads(_run(["privacy", "requests", "--json", "-c", str(house_file)], store_url).output)
    assert [(r["id"], r["status"], r["via"]) for r in listed] == [(request_id, "completed", "phone")]
    # Eve is gone; Fay is still there to export.
    gone = _run(["privacy", "export", "--identity", "user_id:u-1", "-c", str(house_file)], store_url)
    assert gone.exit_code != 0 and "nobody is known" in gone.output
    out = tmp_path / "fay.zip"
    fay = _run(
        ["privacy", "export", "--identity", "email:fay@example.com", "--out", str(out), "-c", str(house_file)],
        store_url,
    )
    assert fay.exit_code == 0, fay.output
    assert "everything.json" in zipfile.ZipFile(out).namelist()


def test_erase_asks_before_erasing_and_prints_the_receipt(tmp_path: Path, store_url: str, house_file: Path):
    _feed(house_file, store_url, tmp_path)
    no = _run(["privacy", "erase", "--identity", "user_id:u-2", "-c", str(house_file)], store_url, input="n\n")
    assert no.exit_code == 1 and "nothing erased" in no.output
    yes = _run(["privacy", "erase", "--identity", "user_id:u-2", "--yes", "-c", str(house_file)], store_url)
    assert yes.exit_code == 0, yes.output
    assert json.loads(yes.output)["removed"]["customers"] == 1
    bad = _run(["privacy", "erase", "--identity", "nonsense", "--yes", "-c", str(house_file)], store_url)
    assert bad.exit_code != 0 and "KIND:VALUE" in bad.output


def test_the_notice_is_generated_in_both_languages(tmp_path: Path, store_url: str, house_file: Path):
    en = _run(["privacy", "notice", "-c", str(house_file)], store_url)
    ja = _run(["privacy", "notice", "--lang", "ja", "-c", str(house_file)], store_url)
    assert en.exit_code == 0 and "Your rights" in en.output
    assert ja.exit_code == 0 and "お客様の権利" in ja.output


def test_a_batch_file_is_erased_only_when_every_line_names_someone(tmp_path: Path, store_url: str, house_file: Path):
    _feed(house_file, store_url, tmp_path)
    batch = tmp_path / "erase.txt"
    batch.write_text("# received by letter\nuser_id:u-1\n\nemail:nobody@example.com\nnonsense\n")
    refused = _run(["privacy", "erase", "--from", str(batch), "--yes", "-c", str(house_file)], store_url)
    assert refused.exit_code != 0
    assert f"{batch}:4" in refused.output and f"{batch}:5" in refused.output and "nothing was erased" in refused.output
    still = _run(
        ["privacy", "export", "--identity", "user_id:u-1", "--out", str(tmp_path / "x.zip"), "-c", str(house_file)],
        store_url,
    )
    assert still.exit_code == 0, "a refused batch erases nobody"

    batch.write_text("user_id:u-1\nemail:fay@example.com\nanonymous_id:a-1\n")  # a-1 is u-1 again: erased once
    done = _run(["privacy", "erase", "--from", str(batch), "--yes", "-c", str(house_file)], store_url)
    assert done.exit_code == 0, done.output
    receipts = json.loads(done.output)
    assert len(receipts) == 2 and all(r["removed"]["customers"] >= 1 for r in receipts)
    assert sum(r["removed"]["events"] for r in receipts) == 3
    for who in ("user_id:u-1", "user_id:u-2"):
        gone = _run(["privacy", "export", "--identity", who, "-c", str(house_file)], store_url)
        assert gone.exit_code != 0 and "nobody is known" in gone.output


def test_erase_names_one_person_or_a_batch(tmp_path: Path, store_url: str, house_file: Path):
    neither = _run(["privacy", "erase", "--yes", "-c", str(house_file)], store_url)
    assert neither.exit_code != 0 and "--identity" in neither.output and "--from" in neither.output
