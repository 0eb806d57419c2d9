"""The api worker: Sanic app factory, authentication, one blueprint per API area."""
