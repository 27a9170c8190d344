"""How a document is named to users: 《title》（文号）. Shared by eligibility reasons and rendering."""

from __future__ import annotations

from collections.abc import Iterable

from .model import Catalogue, Source


def document_name(source: Source) -> str:
    """《title》 plus the 文号 when the document has one."""
    title = source.title if source.title.startswith("《") else f"《{source.title}》"
    return f"{title}（{source.doc_number}）" if source.doc_number else title


def documents(source_ids: Iterable[str], catalogue: Catalogue) -> str:
    """Every cited document, joined; empty when the item cites none."""
    names = [document_name(catalogue.sources[s]) for s in source_ids if s in catalogue.sources]
    return "；".join(dict.fromkeys(names))
