"""``capella tasks create|show|search|collects|cancel|update``: tasking requests."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from capella.cli import _options as o
from capella.cli import _tasking as t
from capella.cli import output
from capella.cli._context import Command, epilog, new_app, state_of
from capella.cli._inputs import request_ids
from capella.cli._tasking import TASKING_REQUESTS
from capella.enumerations import CollectionTier
from capella.tasking.search import TASKING_REQUEST_FIELDS

app = new_app("tasks", "Create, inspect, search, cancel and update tasking requests.")

CREATE_EPILOG = """Examples:

  capella tasks create --name harbour --geometry point.geojson --collection-tier priority

  echo '{"type":"Point","coordinates":[11.15,49.6]}' | capella tasks create --name test -g - |
  jq -r .properties.taskingrequestId

Prints the created tasking request as one JSON object.
"""


def _approval(name: str, value: bool) -> dict[str, Any]:
    # Only a request for pre-approval is sent; without it the client's default applies.
    return {name: True} if value else {}


_CREATE_OPTIONS = o.Options(
    t.NEW_REQUEST,
    {
        "collection_tier": o.choice("--collection-tier", CollectionTier, "{} (default standard)."),
        "window_open": o.Option(
            Annotated[
                str | None,
                typer.Option("--window-open", help="Earliest collection time (default now)."),
            ]
        ),
        "window_close": o.Option(
            Annotated[
                str | None,
                typer.Option(
                    "--window-close", help="Latest collection time (default open + 7 days)."
                ),
            ]
        ),
    },
    t.CONSTRAINTS,
    {
        "pre_approval": o.Option(
            Annotated[bool, typer.Option("--pre-approval", help="Skip the cost review step.")],
            default=False,
            to_keywords=_approval,
        )
    },
    t.LIMITS,
)


t.add_create_command(
    app,
    TASKING_REQUESTS,
    _CREATE_OPTIONS,
    CREATE_EPILOG,
    "Create a tasking request for a point or area.",
)


@app.command(
    "show",
    cls=Command,
    epilog=epilog(
        "Example:\n\n  capella tasks show 34c78a57-2d68-4b4a-a7ba-c188f9e2645d "
        "| jq .properties.statusHistory\n"
    ),
)
@o.with_options
def show(ctx: typer.Context, given: o.Given = TASKING_REQUESTS.ids) -> None:
    """Print tasking requests by id (one JSON record each)."""
    client = state_of(ctx).client()
    for request_id in request_ids(given["request_ids_"], TASKING_REQUESTS.id_keys):
        output.json_record(client.get_task(request_id))


@app.command(
    "collects",
    cls=Command,
    epilog=epilog(
        "Example:\n\n  capella tasks collects 34c78a57-2d68-4b4a-a7ba-c188f9e2645d "
        "| jq -r .collectId\n"
    ),
)
def collects(
    ctx: typer.Context, request_id: Annotated[str, typer.Argument(help="Tasking request id.")]
) -> None:
    """Print the collects of a completed tasking request (one JSON record each)."""
    output.ndjson(state_of(ctx).client().get_collects_for_task(request_id))


SEARCH_EPILOG = (
    """Examples:

  capella tasks search --status completed --submission-time 2024-01-01/.. --format table

  capella tasks search --status review --format ids | capella tasks cancel - --yes

Filters (for --filter): """
    + ", ".join(TASKING_REQUEST_FIELDS)
    + "\n"
)

CANCEL_EPILOG = """Examples:

  capella tasks cancel 34c78a57-2d68-4b4a-a7ba-c188f9e2645d --yes

  capella tasks search --status review --format ids | capella tasks cancel -

Prints {"id", "success", "error"} per id. Exit 3 if some failed, 1 if all did. Cancellation fees
may apply; at a terminal you are asked to confirm unless --yes is given.
"""

UPDATE_EPILOG = """Examples:

  capella tasks update 34c78a57-2d68-4b4a-a7ba-c188f9e2645d --name "harbour, weekly"

  capella tasks search --status accepted --format ids \
| capella tasks update - --custom-attribute-1 campaign-7

Prints {"id", "success", "error"|"request"} per id. Exit 3 if some failed, 1 if all did.
"""

t.add_request_commands(
    app,
    TASKING_REQUESTS,
    {"search": SEARCH_EPILOG, "cancel": CANCEL_EPILOG, "update": UPDATE_EPILOG},
)
