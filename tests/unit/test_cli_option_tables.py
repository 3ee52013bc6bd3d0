"""The option tables behind ``capella tasks`` and ``capella repeats`` (cli/_options.py)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.testing import CliRunner

from capella.cli import _options as o
from capella.cli.repeats import REPEAT_REQUESTS
from capella.cli.tasks import TASKING_REQUESTS

_TABLE = o.Options(
    {
        "first": o.Option(Annotated[str | None, typer.Option("--first", help="One.")]),
        "count": o.Option(
            Annotated[str | None, typer.Option("--count", help="Two.")],
            to_keywords=o.converted(int),
        ),
    }
)


def _app(seen: list[dict[str, Any]]) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @o.with_options
    def command(before: Annotated[str, typer.Option()] = "x", options: o.Given = _TABLE) -> None:
        seen.append({"before": before, **options})

    return app


def test_a_table_reaches_the_command_as_the_keywords_given_and_converted() -> None:
    seen: list[dict[str, Any]] = []
    result = CliRunner().invoke(_app(seen), ["--count", "3"])
    assert result.exit_code == 0, result.output
    assert seen == [{"before": "x", "count": 3}]


def test_a_table_is_listed_in_help_in_its_place_and_order() -> None:
    result = CliRunner().invoke(_app([]), ["--help"], env={"COLUMNS": "120"})
    text = result.output
    assert text.index("--before") < text.index("--first") < text.index("--count")


def test_request_kinds_name_their_ids_after_their_noun() -> None:
    assert TASKING_REQUESTS.id_keys == ("taskingrequestId", "tasking_request_id", "id")
    assert REPEAT_REQUESTS.id_keys == ("repeatrequestId", "repeat_request_id", "id")
    assert "repeat_request_id" in REPEAT_REQUESTS.search_options.table
