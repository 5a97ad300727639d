"""The stock push's fixtures (an integration connected to the simulator, mapped listings, supplier updates)."""

from stock.push.tests.conftest import connect, listing, sim, supplier, supply  # noqa: F401
