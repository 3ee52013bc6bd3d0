"""``capella repeats create|search|cancel|update``: repeat requests (recurring tasking)."""

from __future__ import annotations

from typing import Annotated

import typer

from capella.cli import _options as o
from capella.cli import _tasking as t
from capella.cli._context import new_app
from capella.cli._tasking import REPEAT_REQUESTS
from capella.enumerations import InsarOrbit, RepeatCollectionTier
from capella.tasking.search import REPEAT_REQUEST_FIELDS

app = new_app("repeats", "Create, search, cancel and update repeat requests.")

CREATE_EPILOG = """Examples:

  capella repeats create --name weekly-harbour -g harbour.geojson --repetition-interval 7 \
--repetition-count 10

  capella repeats create --name insar -g site.geojson --collection-tier insar \
--collection-type stripmap_100 --insar-orbit MIO_53_2P95 --repeat-end 2026-12-01

Without --repeat-end or --repetition-count the series runs until cancelled.
"""


_CREATE_OPTIONS = o.Options(
    t.NEW_REQUEST,
    {
        "collection_tier": o.choice(
            "--collection-tier", RepeatCollectionTier, "{} (default routine)."
        ),
        "repeat_start": o.Option(
            Annotated[
                str | None, typer.Option("--repeat-start", help="First collection (default now).")
            ]
        ),
        "repeat_end": o.Option(
            Annotated[
                str | None,
                typer.Option("--repeat-end", help="Last collection (excludes --repetition-count)."),
            ]
        ),
        "repetition_interval": o.Option(
            Annotated[
                int | None,
                typer.Option(
                    "--repetition-interval", min=1, help="Days between collections (default 7)."
                ),
            ]
        ),
        "repetition_count": o.Option(
            Annotated[
                int | None,
                typer.Option("--repetition-count", min=1, help="Number of collections."),
            ]
        ),
    },
    t.CONSTRAINTS,
    t.LIMITS,
    {
        "maintain_scene_framing": o.Option(
            Annotated[
                bool | None,
                typer.Option(
                    "--maintain-scene-framing/--no-maintain-scene-framing",
                    show_default=False,
                    help="Keep look direction, pass and orbital plane across collections.",
                ),
            ]
        ),
        "look_angle_tolerance": o.Option(
            Annotated[float | None, typer.Option("--look-angle-tolerance", help="Degrees.")]
        ),
        "azimuth_angle_tolerance": o.Option(
            Annotated[float | None, typer.Option("--azimuth-angle-tolerance", help="Degrees.")]
        ),
        "window_duration": o.Option(
            Annotated[
                float | None,
                typer.Option("--window-duration", help="Seconds per derived request."),
            ]
        ),
        "insar_orbit": o.Option(
            Annotated[
                str | None,
                o.enum_flag("--insar-orbit", InsarOrbit, "{} (required by the insar tier)."),
            ]
        ),
    },
)


t.add_create_command(
    app,
    REPEAT_REQUESTS,
    _CREATE_OPTIONS,
    CREATE_EPILOG,
    "Create a repeat request: a series of collections of one point or area.",
)


SEARCH_EPILOG = (
    """Examples:

  capella repeats search --status active --format table

  capella repeats search --filter repetition_interval__lte=7 --format ids

Filters (for --filter): """
    + ", ".join(REPEAT_REQUEST_FIELDS)
    + "\n"
)

CANCEL_EPILOG = """Examples:

  capella repeats cancel 37a71826-7819-48cc-b8f2-0ad10bee0f97 --yes

  capella repeats search --status active --format ids | capella repeats cancel -

Prints {"id", "success", "error"} per id. Exit 3 if some failed, 1 if all did.
"""

UPDATE_EPILOG = """Examples:

  capella repeats update 37a71826-7819-48cc-b8f2-0ad10bee0f97 --description "weekly, harbour"

  capella repeats search --status active --format ids \
| capella repeats update - --product-type GEO,SLC

Prints {"id", "success", "error"|"request"} per id. Exit 3 if some failed, 1 if all did.
"""

t.add_request_commands(
    app,
    REPEAT_REQUESTS,
    {"search": SEARCH_EPILOG, "cancel": CANCEL_EPILOG, "update": UPDATE_EPILOG},
)
