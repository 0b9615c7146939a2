"""The consent's customer."""
