"""Dossiers (hồ sơ): intake, lifecycle, progress."""
