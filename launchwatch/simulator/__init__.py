"""The built-in simulator: each plan's endpoints, moving like a real launch, with injectable faults."""

from launchwatch.simulator.faults import FAULTS, Faults
from launchwatch.simulator.launch import Launch
from launchwatch.simulator.server import Simulator

__all__ = ["FAULTS", "Faults", "Launch", "Simulator"]
