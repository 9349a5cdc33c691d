"""Support: a registry of named pieces (activations, losses, initializers, optimizers).

A :class:`Registry` reads like a dict, ``ds.optim.OPTIMIZERS["adam"]``, but it holds
only names: each entry is looked up in its module when it is asked for. So there is
one home for every piece, the module attribute (``descend.optim.Adam``), and replacing
that attribute replaces every route to it: the registry, the module's ``get`` and the
classes that take a name (``Network(activation="tanh")``).

Introduced in: book/05-update
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

__all__ = ["Registry"]


class Registry(Mapping[str, Any]):
    """A read-only mapping ``name -> piece`` whose values are looked up on every access.

    Parameters
    ----------
    names : iterable of str
        The registered names, in the order they are listed.
    lookup : callable
        ``lookup(name) -> piece``: finds the piece in its module at the moment of the
        call (for example ``lambda name: globals()[CLASS_NAMES[name]]``).

    Introduced in: book/05-update
    """

    def __init__(self, names: Iterable[str], lookup: Callable[[str], Any]) -> None:
        self._names = tuple(names)
        self._lookup = lookup

    def __getitem__(self, name: str) -> Any:
        if name not in self._names:
            raise KeyError(name)
        return self._lookup(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"Registry({', '.join(self._names)})"
