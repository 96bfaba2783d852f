"""One network (a relation, or all relations combined) ready for the metrics.

:class:`Net` holds the simple directed graph as arc arrays, its igraph
objects (directed, and undirected simple for k-cores, articulation points and
reach), and the sparse matrices used by brokerage and mixing. Metrics read
what they need from it; nothing is rebuilt twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import igraph as ig
import numpy as np
import scipy.sparse as sp


@dataclass
class Net:
    """A simple directed graph on all ``n`` people of a study (isolates included)."""

    name: str
    n: int
    src: np.ndarray  # int32 arc tails
    tgt: np.ndarray  # int32 arc heads
    directed: bool = True

    @property
    def m(self) -> int:
        return int(self.src.shape[0])

    @cached_property
    def graph(self) -> ig.Graph:
        edges = np.column_stack([self.src, self.tgt]).astype(np.int64)
        return ig.Graph(n=self.n, edges=edges.tolist(), directed=True)

    @cached_property
    def adjacency(self) -> sp.csr_matrix:
        """Binary n×n CSR matrix, row = tail."""
        data = np.ones(self.m, np.int32)
        return sp.csr_matrix((data, (self.src, self.tgt)), shape=(self.n, self.n))

    @cached_property
    def symmetric(self) -> sp.csr_matrix:
        """Binary symmetric adjacency (direction ignored)."""
        a = self.adjacency
        s = (a + a.T).tocsr()
        s.data[:] = 1
        s.eliminate_zeros()
        return s

    @cached_property
    def undirected(self) -> ig.Graph:
        s = sp.triu(self.symmetric, k=1).tocoo()
        edges = np.column_stack([s.row, s.col]).astype(np.int64)
        return ig.Graph(n=self.n, edges=edges.tolist(), directed=False)

    @cached_property
    def in_degree(self) -> np.ndarray:
        return np.bincount(self.tgt, minlength=self.n).astype(np.int64)

    @cached_property
    def out_degree(self) -> np.ndarray:
        return np.bincount(self.src, minlength=self.n).astype(np.int64)

    @cached_property
    def contacts(self) -> np.ndarray:
        """Number of distinct people tied either way."""
        return np.diff(self.symmetric.indptr).astype(np.int64)

    @cached_property
    def arc_keys(self) -> np.ndarray:
        """Sorted int64 keys ``src * n + tgt`` for fast membership tests."""
        return np.sort(self.src.astype(np.int64) * self.n + self.tgt.astype(np.int64))

    def has_arcs(self, a: np.ndarray, c: np.ndarray) -> np.ndarray:
        keys = a.astype(np.int64) * self.n + c.astype(np.int64)
        pos = np.searchsorted(self.arc_keys, keys)
        pos[pos >= self.arc_keys.shape[0]] = 0
        return self.arc_keys[pos] == keys if self.arc_keys.size else np.zeros(keys.shape, bool)

    @property
    def work(self) -> int:
        """people × arcs: the cost of one all-pairs shortest-path sweep."""
        return self.n * max(self.m, 1)


def build_net(name: str, n: int, src: np.ndarray, tgt: np.ndarray, directed: bool = True) -> Net:
    return Net(name, n, np.asarray(src, np.int32), np.asarray(tgt, np.int32), directed)
