"""Local fakes of external systems (identity providers, national portals) for tests and demos."""
