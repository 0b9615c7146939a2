"""The webhook receiver, the shortcuts and the quiet outbox of the webhook tests."""
from tests.services.webhooks.conftest import kit, quiet_outbox, receiver  # noqa: F401
