"""OpenID Connect login: providers, the code flow with PKCE, and the accounts it leads to."""
