"""Customers: create, look up by blind index, unmask with a reason, erase."""

from __future__ import annotations

from fastapi import APIRouter, status

from complydesk.api.deps import (
    ContextDep,
    PrincipalDep,
    ReadSessionDep,
    SessionDep,
    require,
)
from complydesk.api.schemas.customers import (
    CustomerCreate,
    CustomerPublic,
    CustomerSearch,
    CustomerUpdate,
    EraseReceipt,
    EraseRequest,
    UnmaskRequest,
    UnmaskResponse,
)
from complydesk.desk.customers import (
    create_customer,
    erase_customer,
    find_customers,
    get_customer,
    update_customer,
)
from complydesk.identity import Permission
from complydesk.store.models import Customer
from complydesk.vault import BlindKind, Vault

router = APIRouter(prefix="/v1/customers", tags=["customers"])


def _public(customer: Customer, vault: Vault) -> CustomerPublic:
    return CustomerPublic(
        id=customer.id,
        ref=customer.ref,
        jurisdiction=customer.jurisdiction,
        created_at=customer.created_at,
        erased=customer.erased_at is not None,
        masked=vault.masked(customer),
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Permission.CUSTOMERS_WRITE)],
)
def create(
    body: CustomerCreate, session: SessionDep, ctx: ContextDep, principal: PrincipalDep
) -> CustomerPublic:
    values = body.model_dump(exclude={"jurisdiction"}, exclude_none=True)
    customer = create_customer(
        session, ctx.vault, ctx.audit, principal.username, values, body.jurisdiction
    )
    return _public(customer, ctx.vault)


@router.get("/{customer_id}", dependencies=[require(Permission.CUSTOMERS_READ)])
def read(customer_id: int, session: ReadSessionDep, ctx: ContextDep) -> CustomerPublic:
    return _public(get_customer(session, customer_id), ctx.vault)


@router.patch("/{customer_id}", dependencies=[require(Permission.CUSTOMERS_WRITE)])
def rectify(
    customer_id: int,
    body: CustomerUpdate,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> CustomerPublic:
    customer = get_customer(session, customer_id)
    values = body.model_dump(exclude_unset=True)
    update_customer(session, ctx.vault, ctx.audit, principal.username, customer, values)
    return _public(customer, ctx.vault)


@router.post("/search", dependencies=[require(Permission.CUSTOMERS_READ)])
def search(
    body: CustomerSearch, session: ReadSessionDep, ctx: ContextDep
) -> list[CustomerPublic]:
    """Find customers by one identifier (POST so it never lands in access logs)."""
    kind, value = next(
        (BlindKind(k), v) for k, v in body.model_dump().items() if v is not None
    )
    found = find_customers(session, ctx.vault, kind, value)
    return [_public(c, ctx.vault) for c in found]


@router.post("/{customer_id}/unmask", dependencies=[require(Permission.PII_UNMASK)])
def unmask(
    customer_id: int,
    body: UnmaskRequest,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> UnmaskResponse:
    """Plaintext of the named fields; the reason and the caller are audited."""
    customer = get_customer(session, customer_id)
    values = ctx.vault.unmask(
        session, ctx.audit, principal.username, customer, body.fields, body.reason
    )
    return UnmaskResponse(id=customer.id, fields=values)


@router.post("/{customer_id}/erase", dependencies=[require(Permission.CUSTOMERS_ERASE)])
def erase(
    customer_id: int,
    body: EraseRequest,
    session: SessionDep,
    ctx: ContextDep,
    principal: PrincipalDep,
) -> EraseReceipt:
    """Crypto-shred the customer's data key: effective at once, backups included."""
    customer = get_customer(session, customer_id)
    key_ref = customer.key_ref
    erased_at = erase_customer(
        session, ctx.vault, ctx.audit, principal.username, customer, body.reason
    )
    destroyed = key_ref is None or ctx.vault.keystore.is_shredded(key_ref)
    return EraseReceipt(id=customer.id, erased_at=erased_at, key_destroyed=destroyed)
