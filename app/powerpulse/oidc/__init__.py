"""Single sign-on with OpenID Connect (authorisation code with PKCE) against any standard
provider (Authentik, Keycloak, Authelia…): `settings` is what the admin configured, `roles`
(pure) maps the provider's claims to a PowerPulse role, `flow` talks to the provider and
checks its ID token (joserfc: signature, issuer, audience, expiry, nonce)."""
