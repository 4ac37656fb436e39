"""allot_xl's authentication providers for xlwings Server (XLWINGS_AUTH_PROVIDERS)."""
