"""HTTP edge helpers shared by the Chalice apps: authentication, error mapping."""
