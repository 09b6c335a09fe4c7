"""Model families: each module here that declares a `RECORD` (gen_core.family.Family) is one family,
and these mappings are read from the records, in module-name order."""
import importlib
import pkgutil

from gen_core.base import HubModel
from gen_core.family import Family


def _records() -> dict[str, Family]:
    records = {}
    for module in pkgutil.iter_modules(__path__):
        record = getattr(importlib.import_module(f"{__name__}.{module.name}"), "RECORD", None)
        if record is not None:
            if record.name in records:
                raise RuntimeError(f"two records name the family {record.name!r}")
            records[record.name] = record
    return records


RECORDS: dict[str, Family] = _records()
FAMILIES: dict[str, type[HubModel]] = {name: record.model for name, record in RECORDS.items()}
