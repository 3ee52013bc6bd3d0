"""``capella order review|create|list|show|items``: ordering archive products."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from capella.cli import output
from capella.cli._context import Command, epilog, new_app, state_of, usage_error
from capella.cli._inputs import STDIN, request_ids, stac_ids_and_items

app = new_app("order", "Review, place and list orders of catalog items.")

IdsArgument = Annotated[
    list[str],
    typer.Argument(
        metavar="STAC_ID... | -",
        help="STAC ids, or '-' to read ids or STAC items (ndjson, a FeatureCollection, or one "
        "id per line) from stdin.",
        show_default=False,
    ),
]
ContractOption = Annotated[
    str | None,
    typer.Option(
        "--contract-id", show_default=False, help="Charge this contract (default: your default)."
    ),
]


def _order_input(arguments: list[str]) -> dict[str, Any]:
    stac_ids, items = stac_ids_and_items(arguments)
    if not stac_ids and not items:
        usage_error("no STAC ids or items given (was stdin empty?)")
    return {"items": items} if items else {"stac_ids": stac_ids}


REVIEW_EPILOG = """Examples:

  capella order review CAPELLA_C13_SP_GEO_HH_20240101000000_20240101000010

  capella search --product-type GEO --limit 3 | capella order review - | jq .orderDetails.summary
"""


@app.command("review", cls=Command, epilog=epilog(REVIEW_EPILOG))
def review(
    ctx: typer.Context,
    stac_ids: IdsArgument,
    contract_id: ContractOption = None,
) -> None:
    """Price an order without placing it; prints the review as one JSON object."""
    result = state_of(ctx).client().review_order(contract_id=contract_id, **_order_input(stac_ids))
    output.json_record(result)


CREATE_EPILOG = """Examples:

  capella order create CAPELLA_C13_SP_GEO_HH_20240101000000_20240101000010

  capella search --product-type GEO --limit 3 --format ids | capella order create - |
  capella download - --dir ./imagery

Prints the order id on stdout, so that it pipes into 'capella download -'.
"""


@app.command("create", cls=Command, epilog=epilog(CREATE_EPILOG))
def create(
    ctx: typer.Context,
    stac_ids: IdsArgument,
    contract_id: ContractOption = None,
    check_active: Annotated[
        bool,
        typer.Option(
            "--check-active",
            help="Reuse an active order that already holds every id instead of ordering again.",
        ),
    ] = False,
    review_first: Annotated[
        bool,
        typer.Option("--review/--no-review", help="Review the order (cost check) before placing."),
    ] = True,
) -> None:
    """Place an order (review, then submit) and print its order id."""
    order_id = (
        state_of(ctx)
        .client()
        .submit_order(
            check_active_orders=check_active,
            omit_review=not review_first,
            contract_id=contract_id,
            **_order_input(stac_ids),
        )
    )
    output.line(str(order_id))


LIST_EPILOG = """Examples:

  capella order list --active --format table

  capella order list | jq -r 'select(.orderStatus == "completed") | .orderId'
"""


@app.command("list", cls=Command, epilog=epilog(LIST_EPILOG))
def list_orders(
    ctx: typer.Context,
    active: Annotated[
        bool, typer.Option("--active", help="Only orders that have not expired.")
    ] = False,
    fmt: Annotated[
        output.ListFormat, typer.Option("--format", "-o", help="Output format.")
    ] = output.ListFormat.NDJSON,
) -> None:
    """List your orders (one JSON record per order)."""
    orders = state_of(ctx).client().list_orders(is_active=active)
    output.records(orders, fmt, id_of=output.order_id, columns=output.ORDER_COLUMNS)


@app.command(
    "show",
    cls=Command,
    epilog=epilog(
        "Example:\n\n  capella order show 6c2f1c8e-0d36-4a55-9b0a-3c8f35f2f1d2 | jq .items\n"
    ),
)
def show(
    ctx: typer.Context,
    order_ids: Annotated[
        list[str],
        typer.Argument(metavar="ORDER_ID... | -", help="Order id(s), or '-' for stdin."),
    ],
) -> None:
    """Print orders by id (one JSON record each)."""
    ids = request_ids(order_ids, ("orderId",))
    output.ndjson(state_of(ctx).client().list_orders(*ids))


ITEMS_EPILOG = """Examples:

  capella order items 6c2f1c8e-0d36-4a55-9b0a-3c8f35f2f1d2 > presigned.ndjson

  capella download - --dir ./imagery < presigned.ndjson

The hrefs are presigned and expire (about an hour): treat the output as a secret.
"""


@app.command("items", cls=Command, epilog=epilog(ITEMS_EPILOG))
def items(
    ctx: typer.Context,
    order_id: Annotated[str, typer.Argument(metavar="ORDER_ID | -", help="Order id or '-'.")],
    stac_id: Annotated[
        list[str] | None,
        typer.Option("--stac-id", help="Only these STAC ids (repeatable)."),
    ] = None,
) -> None:
    """Print the order's STAC items with presigned asset hrefs (one per line)."""
    ids = request_ids([order_id], ("orderId",)) if order_id == STDIN else [order_id]
    client = state_of(ctx).client()
    for one in ids:
        output.ndjson(client.get_presigned_items(one, stac_ids=stac_id or None))
