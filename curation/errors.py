"""Domain errors. The API and the web pages map each to a 4xx response; none is ever a 500."""


class DomainError(Exception):
    """Base of every refusal the domain can give. `code` is stable and machine-readable."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 400


class NotAllowed(DomainError):
    code = "not_allowed"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409
