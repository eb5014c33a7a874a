"""The province's working-day calendar configuration: admin overrides on top of the national holidays."""
