"""The log followers: durable cursors and the one place that knows the order consumers run in."""
