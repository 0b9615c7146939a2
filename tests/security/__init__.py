"""Security regressions: each module performs one attack against a live server."""
