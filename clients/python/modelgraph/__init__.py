"""modelgraph: a client of the modelgraph model registry for training code (the standard library only)."""

from .client import Client
from .errors import BadInput, Conflict, GateFailed, ModelgraphError, NotFound, RateLimited, TimedOut, Unauthorized

__version__ = "0.1.0"
__all__ = ["Client", "ModelgraphError", "GateFailed", "Conflict", "NotFound", "Unauthorized", "BadInput", "RateLimited", "TimedOut"]
