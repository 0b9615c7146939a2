"""Account management (scope ``manage``): card lock, alerts, nickname, transfers."""
