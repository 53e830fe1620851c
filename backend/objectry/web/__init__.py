"""The HTTP plumbing every router shares: request context, route class, bodies, responses,
pagination, error handlers and the ASGI middleware at the door."""
