"""Policy packs: which are available, and every cited value of one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from complydesk.api.deps import ContextDep, require
from complydesk.errors import NotFound
from complydesk.identity import Permission
from complydesk.policy import available_packs, iter_cited, load_pack

router = APIRouter(prefix="/v1/policy", tags=["policy"])


@router.get("/packs", dependencies=[require(Permission.POLICY_READ)])
def list_packs(ctx: ContextDep) -> list[dict[str, str]]:
    extra = ctx.settings.policy_dir
    packs = [load_pack(name, extra) for name in available_packs(extra)]
    return [
        {
            "pack": p.pack,
            "version": p.version,
            "jurisdiction": p.jurisdiction,
            "title": p.title,
            "content_hash": p.content_hash,
        }
        for p in packs
    ]


@router.get("/packs/{name}", dependencies=[require(Permission.POLICY_READ)])
def show_pack(name: str, ctx: ContextDep) -> dict[str, Any]:
    names = available_packs(ctx.settings.policy_dir)
    if name not in names:
        raise NotFound(f"no policy pack {name!r}; available: {', '.join(names)}")
    pack = load_pack(name, ctx.settings.policy_dir)
    return {
        "pack": pack.pack,
        "version": pack.version,
        "content_hash": pack.content_hash,
        "values": [
            {
                "key": row.key,
                "value": row.value,
                "citation": row.citation,
                "confidence": row.confidence.value,
                "note": row.note,
            }
            for row in iter_cited(pack)
        ],
        "pack_data": pack.model_dump(mode="json"),
    }
