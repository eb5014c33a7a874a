"""Ports and adapters to systems outside motcua."""
