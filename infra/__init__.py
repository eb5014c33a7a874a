"""Dev tooling around the real template and handlers: the local cloud and fakes of external systems."""
