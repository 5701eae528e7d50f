"""Read, merge and validate policy packs; every problem is one PolicyError line.

Packs come in layers: the shipped `packs/*.yaml`, then an optional extra
directory (`Settings.policy_dir`) whose files add packs or replace shipped
ones of the same name. A pack may `extends` another; the chain is merged
root first, section by section, and only the merged result is validated, so
a child file states just what differs. A file in a higher layer may extend
the pack of its own name: that resolves to the layer below, which is how a
deployment overrides a few shipped values without renaming the pack.

Errors name the file that supplied the offending key and the dotted key path,
because the people fixing them edit YAML, not Python.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from complydesk.errors import PolicyError
from complydesk.policy.pack import PolicyPack

SHIPPED_DIR = Path(__file__).with_name("packs")
HEADER_KEYS = ("pack", "version", "title", "jurisdiction")
_MAX_ERRORS = 3

Layer = dict[str, Path]
Origins = dict[tuple[Any, ...], str]
# Hashable snapshot of the layers: (name, path, mtime_ns, size) per file.
_Stamp = tuple[tuple[tuple[str, str, int, int], ...], ...]


def available_packs(extra_dir: Path | None = None) -> list[str]:
    """Names of every pack that `load_pack` accepts, sorted."""
    return sorted({name for layer in _layers(extra_dir) for name in layer})


def load_pack(name: str, extra_dir: Path | None = None) -> PolicyPack:
    """The merged, validated pack `name`; cached until a pack file changes."""
    return _load_cached(name, _stamp(_layers(extra_dir)))


def load_pack_file(path: Path) -> PolicyPack:
    """Validate a user's pack file; `extends` looks in its directory, then shipped."""
    if not path.is_file():
        raise PolicyError(f"{path}: no such pack file")
    layers = [_scan(SHIPPED_DIR), {**_scan(path.parent), path.stem: path}]
    return _load(path.stem, layers)


def _scan(directory: Path) -> Layer:
    return {p.stem: p for p in sorted(directory.glob("*.yaml")) if p.is_file()}


def _layers(extra_dir: Path | None) -> list[Layer]:
    layers = [_scan(SHIPPED_DIR)]
    if extra_dir is not None:
        if not extra_dir.is_dir():
            raise PolicyError(f"policy_dir {extra_dir}: not a directory")
        layers.append(_scan(extra_dir))
    return layers


def _stamp(layers: list[Layer]) -> _Stamp:
    def file_stamp(name: str, path: Path) -> tuple[str, str, int, int]:
        try:
            stat = path.stat()
        except OSError as exc:
            raise PolicyError(f"{_display(path)}: cannot read: {exc}") from None
        return (name, str(path), stat.st_mtime_ns, stat.st_size)

    return tuple(
        tuple(file_stamp(name, path) for name, path in sorted(layer.items()))
        for layer in layers
    )


@lru_cache(maxsize=64)
def _load_cached(name: str, stamp: _Stamp) -> PolicyPack:
    layers = [{entry[0]: Path(entry[1]) for entry in layer} for layer in stamp]
    return _load(name, layers)


def _load(name: str, layers: list[Layer]) -> PolicyPack:
    chain = _resolve_chain(name, layers)
    merged: dict[str, Any] = {}
    origins: Origins = {}
    for path, raw in reversed(chain):
        merged = _merge(merged, raw, _display(path), origins, ())
    try:
        return PolicyPack.model_validate(merged)
    except ValidationError as exc:
        raise PolicyError(_describe(exc, origins, _display(chain[0][0]))) from None


def _resolve_chain(name: str, layers: list[Layer]) -> list[tuple[Path, dict[str, Any]]]:
    """The files from `name` up its `extends` chain, child first."""
    found = _lookup(name, layers, len(layers))
    if found is None:
        raise PolicyError(
            f"unknown policy pack {name!r}; valid packs: {_valid_names(layers)}"
        )
    chain: list[tuple[Path, dict[str, Any]]] = []
    while found is not None:
        level, path = found
        if any(path == seen for seen, _ in chain):
            cycle = " -> ".join([*(p.stem for p, _ in chain), path.stem])
            raise PolicyError(f"{_display(chain[-1][0])}: extends: cycle {cycle}")
        raw = _read(path)
        chain.append((path, raw))
        parent = raw.get("extends")
        if parent is None:
            break
        if not isinstance(parent, str):
            raise PolicyError(f"{_display(path)}: extends: must be a pack name")
        below = level if parent == path.stem else len(layers)
        found = _lookup(parent, layers, below)
        if found is None:
            raise PolicyError(
                f"{_display(path)}: extends: unknown pack {parent!r}; "
                f"valid packs: {_valid_names(layers)}"
            )
    return chain


def _lookup(name: str, layers: list[Layer], below: int) -> tuple[int, Path] | None:
    for level in range(below - 1, -1, -1):
        if name in layers[level]:
            return level, layers[level][name]
    return None


def _valid_names(layers: list[Layer]) -> str:
    return ", ".join(sorted({name for layer in layers for name in layer}))


def _display(path: Path) -> str:
    return path.name if path.parent == SHIPPED_DIR else str(path)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys instead of keeping the last one."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not _hashable(key):
            continue  # construct_mapping reports unhashable keys
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _read(path: Path) -> dict[str, Any]:
    """One pack file as a mapping, with its header checked."""
    where = _display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{where}: cannot read: {exc}") from None
    try:
        raw = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        problem = " ".join(str(exc.problem or exc.context or "").split())
        raise PolicyError(f"{where}: line {line}: invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{where}: invalid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise PolicyError(f"{where}: (top level): must be a mapping of pack keys")
    for key in HEADER_KEYS:
        if key not in raw:
            raise PolicyError(f"{where}: {key}: must be set in every pack file")
    if raw["pack"] != path.stem:
        raise PolicyError(
            f"{where}: pack: {raw['pack']!r} must equal the file name {path.stem!r}"
        )
    return raw


def _is_cited(node: Any) -> bool:
    return isinstance(node, dict) and ("value" in node or "citation" in node)


def _merge(
    base: dict[str, Any],
    override: dict[str, Any],
    origin: str,
    origins: Origins,
    path: tuple[Any, ...],
) -> dict[str, Any]:
    """`override` onto `base`: mappings merge, cited values and lists replace.

    A cited value is replaced whole so a child's figure never keeps the
    parent's citation or note. `origins` records which file set each path.
    """
    merged = dict(base)
    for key, value in override.items():
        here = (*path, key)
        old = merged.get(key)
        origins[here] = origin
        if (
            isinstance(old, dict)
            and isinstance(value, dict)
            and not (_is_cited(old) or _is_cited(value))
        ):
            merged[key] = _merge(old, value, origin, origins, here)
            continue
        for stale in [
            p for p in origins if len(p) > len(here) and p[: len(here)] == here
        ]:
            del origins[stale]
        merged[key] = value
    return merged


def _describe(exc: ValidationError, origins: Origins, default: str) -> str:
    """One line: `file: dotted.key: message` for the first few errors."""
    parts = []
    errors = exc.errors()
    for error in errors[:_MAX_ERRORS]:
        loc = tuple(error["loc"])
        where = default
        for depth in range(len(loc), 0, -1):
            if loc[:depth] in origins:
                where = origins[loc[:depth]]
                break
        key = ".".join(str(part) for part in loc) or "(top level)"
        message = " ".join(str(error["msg"]).split())
        parts.append(f"{where}: {key}: {message}")
    if len(errors) > _MAX_ERRORS:
        parts.append(f"(+{len(errors) - _MAX_ERRORS} more)")
    return "; ".join(parts)
