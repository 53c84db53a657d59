"""Constants shared by the app and its routers."""

API_PREFIX = "/v1"  # routers carry the prefix themselves, so route templates (metrics labels) include it
