"""The API's errors as exceptions: one class per code a caller branches on.

Every error the registry answers, from /graphql or from the artifact routes, has the same JSON shape,
``{"errors": [{"message": ..., "extensions": {"code": ..., "field": ...}}]}``; the first error decides the class.
"""


class ModelgraphError(Exception):
    """An error the registry answered (or the client found): its code, message, field and extensions."""

    def __init__(self, code, message, field=None, extensions=None):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message
        self.field = field
        self.extensions = extensions or {}


class GateFailed(ModelgraphError):
    """GATE_FAILED: a transition refused by its gates; ``gates`` is the report, gate by gate."""

    @property
    def gates(self):
        return self.extensions.get("gates", [])


class Conflict(ModelgraphError):
    """CONFLICT (a stale expectedStage, an artifact already uploaded, …) or INVALID_TRANSITION."""


class NotFound(ModelgraphError):
    """NOT_FOUND."""


class Unauthorized(ModelgraphError):
    """UNAUTHENTICATED (no token, a bad or revoked one) or FORBIDDEN (not enough rights)."""


class BadInput(ModelgraphError):
    """BAD_USER_INPUT; ``field`` names the part of the input refused."""


class RateLimited(ModelgraphError):
    """RATE_LIMITED: over a bound on what one client may hold at once; retry later."""


class TimedOut(ModelgraphError):
    """TIMED_OUT: ``Client.wait`` gave up before the version got where it was asked to."""


CLASSES = {
    "GATE_FAILED": GateFailed,
    "CONFLICT": Conflict,
    "INVALID_TRANSITION": Conflict,
    "NOT_FOUND": NotFound,
    "UNAUTHENTICATED": Unauthorized,
    "FORBIDDEN": Unauthorized,
    "BAD_USER_INPUT": BadInput,
    "RATE_LIMITED": RateLimited,
    "TIMED_OUT": TimedOut,
}


def error_from(body, fallback_code="INTERNAL_SERVER_ERROR", fallback_message="the registry answered an error"):
    """The exception for an answer's ``errors`` (its first one), or a generic one when it has none."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not errors:
        return ModelgraphError(fallback_code, fallback_message)
    first = errors[0] if isinstance(errors[0], dict) else {}
    extensions = first.get("extensions") or {}
    code = extensions.get("code") or fallback_code
    cls = CLASSES.get(code, ModelgraphError)
    return cls(code, first.get("message") or fallback_message, extensions.get("field"), extensions)
