"""Every command and code block of README.md runs as written against a sandbox.

The shell lines and Python blocks are read from README.md itself, so the README cannot drift
from what works. A sandbox is started the way the README says (``capella sandbox``, on a free
port), an S3 server (moto) stands in for the bucket of the S3 example, and everything runs in
a temporary folder with the environment the README tells people to set. The only changes made
to the text: ``<api-key>`` becomes the sandbox's demo key, and the sandbox's port in the
README (8080) becomes the free port the test's sandbox got.
"""

from __future__ import annotations

import json
import os
import re
import select
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import attrs
import boto3
import pytest
from _moto import aws_environment, moto_s3

from capella.interop import DISTRIBUTION
from capella.sandbox import DEMO_API_KEY

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
README_SANDBOX_URL = "http://127.0.0.1:8080"
PLACEHOLDERS = {"<api-key>": DEMO_API_KEY}
S3_BUCKET = "my-bucket"  # the bucket the README's S3 example writes to

# Shell lines that do not run here, and why.
EXEMPT = {
    "make demo": "CI runs the demo itself (tests/e2e/test_demo.py runs the same code)",
    "make test": "this is the test suite; CI runs it",
    "capella sandbox --port 8080": "a server that runs until Ctrl+C on a fixed port: the test "
    "starts its own sandbox with the same command on a free port",
    "capella auth login": "stores the key in the OS keyring, which CI machines do not have",
    "CAPELLA_API_URL=https://api.capellaspace.com": "records cassettes against production: "
    "needs a production API key",
}


@attrs.frozen
class Snippet:
    """A piece of README.md: where it starts, its language and its text."""

    line: int
    language: str
    text: str


def snippets(language: str) -> list[Snippet]:
    """The fenced code blocks of README.md in ``language``, in order."""
    found = []
    language_of_block, start, body = None, 0, []
    for number, line in enumerate(README.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```") and language_of_block is None:
            language_of_block, start, body = line[3:].strip(), number + 1, []
        elif line.startswith("```"):
            if language_of_block == language:
                found.append(Snippet(start, language, "\n".join(body) + "\n"))
            language_of_block = None
        elif language_of_block is not None:
            body.append(line)
    return found


def shell_lines() -> list[Snippet]:
    """Every command line of the README's bash blocks."""
    return [
        Snippet(block.line + i, "bash", line)
        for block in snippets("bash")
        for i, line in enumerate(block.text.splitlines())
        if line.strip() and not line.lstrip().startswith("#")
    ]


def exemption(line: str) -> str | None:
    """Why ``line`` does not run here, or None when it does."""
    return next((why for start, why in EXEMPT.items() if line.startswith(start)), None)


def substitute(text: str, sandbox_url: str) -> str:
    """The README's placeholders replaced with what this test's servers answer to."""
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    return text.replace(README_SANDBOX_URL, sandbox_url)


# -- servers ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sandbox_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A sandbox started as the README starts it, on a free port (the defaults otherwise)."""
    command = [str(Path(sys.executable).parent / "capella"), "sandbox", "--port", "0"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    ) as server:
        assert server.stdout is not None
        try:
            seen = []
            while True:
                ready, _, _ = select.select([server.stdout], [], [], 60)
                line = server.stdout.readline() if ready else ""
                seen.append(line)
                assert line, f"the sandbox did not start: {''.join(seen)}"
                match = re.search(r"http://127\.0\.0\.1:\d+", line)
                if match:
                    break
            yield match.group(0)
        finally:
            server.terminate()
            server.wait(timeout=30)


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 on a free port, holding the README's bucket."""
    with moto_s3() as endpoint:
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        ).create_bucket(Bucket=S3_BUCKET)
        yield endpoint


@pytest.fixture
def readme_env(sandbox_url: str, s3_endpoint: str, tmp_path: Path) -> dict[str, str]:
    """The environment a README reader has: the variables the README says to set."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CAPELLA_", "AWS_", "COLUMNS"))
    }
    bin_dir = str(Path(sys.executable).parent)
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        CAPELLA_API_URL=sandbox_url,
        CAPELLA_API_KEY=DEMO_API_KEY,
        CAPELLA_CONFIG_DIR=str(tmp_path / "config"),  # no stored profiles
        COLUMNS="80",
        **aws_environment(s3_endpoint),
    )
    return env


def _run(
    argv: list[str], cwd: Path, env: dict[str, str], what: str
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, f"{what} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


# -- the tests --------------------------------------------------------------------------------


def test_the_readme_has_what_this_test_runs() -> None:
    lines = [s.text for s in shell_lines()]
    assert any(line.startswith("capella search") and "|" in line for line in lines)
    assert len(snippets("python")) >= 6
    # Every exemption names a line that is still in the README (no stale excuses).
    for start in EXEMPT:
        assert any(line.startswith(start) for line in lines), start


def test_every_shell_line_runs_as_written(
    sandbox_url: str, readme_env: dict[str, str], tmp_path: Path
) -> None:
    script = ["set -euo pipefail"]
    ran = []
    for line in shell_lines():
        if exemption(line.text) is not None:
            continue
        ran.append(line.text)
        script.append(f"echo {shlex.quote(f'### README.md:{line.line}')} >&2")
        script.append(substitute(line.text, sandbox_url))
    work = tmp_path / "work"
    work.mkdir()
    done = _run(["bash", "-c", "\n".join(script)], work, readme_env, "the README's shell lines")
    assert len(ran) >= 4
    # The headline pipeline downloaded what it ordered.
    assert any(p.suffix == ".tif" for p in (work / "data").rglob("*"))
    assert "Error" not in done.stderr


def test_every_python_block_runs_as_written(
    sandbox_url: str, readme_env: dict[str, str], tmp_path: Path
) -> None:
    blocks = [(b.line, substitute(b.text, sandbox_url)) for b in snippets("python")]
    (tmp_path / "blocks.json").write_text(json.dumps(blocks))
    # One namespace for all blocks, as a reader pasting them into one session has
    # ("with the client from above").
    runner = (
        "import json, sys\n"
        + "namespace = {'__name__': '__main__'}\n"
        + "for line, code in json.load(open('blocks.json')):\n"
        + "    print(f'### README.md:{line}', file=sys.stderr, flush=True)\n"
        + "    exec(compile(code, f'README.md:{line}', 'exec'), namespace)\n"
    )
    done = _run([sys.executable, "-c", runner], tmp_path, readme_env, "the README's Python")
    assert f"s3://{S3_BUCKET}/capella/" in done.stdout  # the S3 example's print(paths)
    assert "### README.md:" + str(snippets("python")[-1].line) in done.stderr  # all blocks ran
    assert any(p.suffix == ".tif" for p in (tmp_path / "imagery").rglob("*"))


def test_the_readme_install_lines_name_this_projects_distribution() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    name = pyproject["project"]["name"]
    assert name == DISTRIBUTION
    installs = re.findall(r"pip install '([^'\[]+)\[", README.read_text(encoding="utf-8"))
    assert installs, "the README names no install command"
    assert set(installs) == {name}
    # The dev extra installs the other extras of this same distribution.
    dev_self = [r for r in pyproject["project"]["optional-dependencies"]["dev"] if "[" in r]
    assert {r.split("[")[0] for r in dev_self if r.startswith("capella")} == {name}


def test_every_install_hint_in_the_code_names_this_projects_distribution() -> None:
    hints = []
    for path in (ROOT / "capella").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        hints += re.findall(r"pip install '?([\w.-]+)\[", text)
        # Extras named in docstrings and messages, too (``capella-sar[geo]``).
        hints += re.findall(r"([\w.-]+)\[(?:sandbox|cli|s3|pystac|geo|dev)\b", text)
    assert set(hints) <= {DISTRIBUTION}
