"""The option tables behind ``capella tasks`` and ``capella repeats`` (cli/_options.py)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.testing import CliRunner

from capella.cli import _options as o
from capella.cli._context import CliError, ExitCode
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


def test_two_options_that_set_one_keyword_are_a_usage_error_naming_both_flags() -> None:
    table = o.Options(
        {
            "first": o.Option(Annotated[str | None, typer.Option("--first", "-1", help="One.")]),
            "second": o.Option(
                Annotated[str | None, typer.Option("-2", "--second", help="Two.")],
                to_keywords=o.renamed("first"),
            ),
        }
    )
    app = typer.Typer()

    @app.command()
    @o.with_options
    def command(options: o.Given = table) -> None:
        raise AssertionError("not reached")

    result = CliRunner().invoke(app, ["-1", "a", "-2", "b"])
    # A usage error (exit 2 under the capella app, whose commands report CliError).
    assert isinstance(result.exception, CliError)
    assert result.exception.exit_code == ExitCode.USAGE
    assert str(result.exception) == "--first and --second both set first"
