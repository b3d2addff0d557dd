"""`report --html` in a real browser (issue 17): headless Chromium from Debian's packages loads
the page with no network, no console error occurs, and each of the three charts is drawn with a
size; a screenshot is kept as a test artefact (tests/artifacts/report.png)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collectbot.cli import app

ARTIFACTS = Path(__file__).parent / "artifacts"
MEASURE = """<script>
const out = [...document.querySelectorAll("figure.chart")].map(f => {
  const svg = f.querySelector("svg"); const box = svg ? svg.getBoundingClientRect() : null;
  return {id: f.id, svg: !!svg, width: box ? Math.round(box.width) : 0, height: box ? Math.round(box.height) : 0};
});
document.body.insertAdjacentHTML("beforeend", "<pre id='measured'>" + JSON.stringify(out) + "</pre>");
</script>"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("no chromium on this machine (.ci/run installs Debian's chromium)")
    return found


def browse(page: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--enable-logging=stderr", "--v=0", "--window-size=1280,2400", *extra, page.as_uri()],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def report_page(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser") / "demo"
    runner = CliRunner()
    for args, now in ((["init", str(root)], "2026-11-23T10:00"), (["-c", str(root), "run"], "2026-11-23T10:00"),
                      (["-c", str(root), "reconcile", str(root / "bank.csv")], "2026-11-24T10:00")):
        assert runner.invoke(app, ["--now", now, *args]).exit_code == 0
    page = root / "report.html"
    result = runner.invoke(app, ["--now", "2026-11-24T12:00", "-c", str(root), "report", "--html", str(page)])
    assert result.exit_code == 0, result.output
    return page


def test_the_page_is_self_contained(report_page):
    text = report_page.read_text(encoding="utf-8")
    assert not re.search(r"(src|href)=[\"']https?:", text) and "<script" not in text and "@import" not in text
    assert text.count('<figure class="chart"') == 3


def test_the_page_opens_without_console_errors_and_draws_three_charts(report_page, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    shot = browse(report_page, f"--screenshot={ARTIFACTS / 'report.png'}")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000
    console = [ln for ln in shot.stderr.splitlines() if "CONSOLE" in ln]
    assert console == [], console
    # the same page, with a measuring script appended (the page itself runs none)
    probe = tmp_path / "probe.html"
    probe.write_text(report_page.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = browse(probe, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    measured = json.loads(re.search(r"<pre id=\"measured\">(.*?)</pre>", dom.stdout, re.S).group(1))
    assert [m["id"] for m in measured] == ["aging", "collected", "funnel"]
    assert all(m["svg"] and m["width"] > 300 and m["height"] > 100 for m in measured), measured


def test_the_page_reads_on_a_phone(report_page):
    narrow = browse(report_page, "--window-size=390,1600", f"--screenshot={ARTIFACTS / 'report-phone.png'}")
    assert narrow.returncode == 0 and (ARTIFACTS / "report-phone.png").stat().st_size > 5_000
